#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who may use the socket beyond what its file mode allows (`control.allow_uids`,
/// `control.allow_groups`), checked against the peer's credentials (`SO_PEERCRED`). With both
/// lists empty everyone who can open the socket is let in. Root and the daemon's own user are
/// always let in.
public struct PeerAccess: Sendable, Equatable {
    public var allowedUIDs: Set<UInt32>
    public var allowedGIDs: Set<UInt32>

    public init(allowedUIDs: Set<UInt32> = [], allowedGIDs: Set<UInt32> = []) {
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
    }

    /// True when no list restricts access.
    public var isOpen: Bool { allowedUIDs.isEmpty && allowedGIDs.isEmpty }

    /// Whether the peer with these credentials may call methods.
    public func permits(uid: UInt32, gid: UInt32) -> Bool {
        if isOpen || uid == 0 || uid == getuid() || allowedUIDs.contains(uid) { return true }
        if allowedGIDs.contains(gid) { return true }
        return !allowedGIDs.isDisjoint(with: Self.groups(ofUID: uid, primary: gid))
    }

    /// The supplementary groups of the user `uid`, from the group database.
    static func groups(ofUID uid: UInt32, primary gid: UInt32) -> Set<UInt32> {
        var entry = passwd()
        var buffer = [CChar](repeating: 0, count: 16384)
        var result: UnsafeMutablePointer<passwd>?
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, let result,
            let name = result.pointee.pw_name
        else { return [] }
        var count: Int32 = 256
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &groups, &count) < 0 { return [] }
        return Set(groups.prefix(Int(count)).map { UInt32($0) })
    }

    /// Resolves group names or numbers, for the configuration.
    public static func groupID(named name: String) -> UInt32? {
        if let number = UInt32(name) { return number }
        var entry = group()
        var buffer = [CChar](repeating: 0, count: 16384)
        var result: UnsafeMutablePointer<group>?
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, let result else { return nil }
        return UInt32(result.pointee.gr_gid)
    }
}
