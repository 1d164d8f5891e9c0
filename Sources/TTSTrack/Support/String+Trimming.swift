extension String {
    /// `self` without leading and trailing white space: for keys read from files and the
    /// environment, header values, and configuration lists.
    var trimmingWhitespace: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
