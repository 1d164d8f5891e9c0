/// The interface texts served by `org.varlink.service.GetInterfaceDescription`, compiled in so
/// the daemon reads nothing at run time. The tracker's is a copy of `io.ttstrack.Tracker.varlink`,
/// kept beside this file and equal to it (a test checks), extended only by new errors, new methods and new
/// optional fields.
package enum InterfaceDescriptions {
    package static let tracker = #"""
        # Track asynchronous CAMB.AI tasks: hand over task ids, read back status and run_id.
        interface io.ttstrack.Tracker

        # One tracked task, as the daemon last saw it.
        type Task (
          # The task id that the CAMB.AI API returned when the task was created.
          task_id: string,
          # Which status endpoint is polled: "tts" polls GET /tts/{task_id}.
          kind: string,
          # PENDING, SUCCESS, ERROR, TIMEOUT, PAYMENT_REQUIRED as the API reports them;
          # NOT_FOUND or EXPIRED when the daemon gave up; UNTRACKED when the id is unknown here;
          # any other string the API returned, verbatim (such a task is still polled).
          status: string,
          # True once the status can no longer change and polling has stopped.
          terminal: bool,
          # Set with SUCCESS: the id to download the result with.
          run_id: ?int,
          # exception_reason from the API, when it gave one.
          reason: ?string,
          # message from the API, when it gave one (an object is passed on as its JSON text).
          message: ?string,
          # Status checks made so far.
          checks: int,
          # RFC 3339 UTC timestamps.
          added_at: ?string,
          updated_at: ?string,
          checked_at: ?string,
          next_check_at: ?string,
          # The tag given at Add, if any (an id already tracked keeps the tag it was first added with).
          tag: ?string,
          # pending, done or failed while a result is fetched for this task (results.dir, or Fetch);
          # null when no result is fetched for it.
          result_state: ?string,
          # Where the finished result lies (absolute path), once done: <task_id>.flac, .wav, .mp3, .bin or .json.
          result_path: ?string,
          # Its size in bytes, once done.
          result_bytes: ?int,
          # Why the last attempt failed, in plain words (kept while retrying, and once failed).
          result_error: ?string
        )

        # A status change, as delivered by Watch.
        type Event (
          # Increases by one with every change the daemon records; a cursor for Watch(since).
          seq: int,
          task: Task
        )

        # Start tracking the ids. Idempotent: an id already tracked is counted as existing and left as it is.
        # The reply comes only after the ids are committed to the store.
        # tag: 1 to 64 characters of A-Z a-z 0-9 _ - . :, put on every id of the call that is new, to list,
        # wait for or watch them together later.
        method Add(ids: []string, kind: ?string, tag: ?string) -> (added: int, existing: int)

        # The tasks, in the order asked; an unknown id comes back with status UNTRACKED.
        # Extension: seq, the newest change recorded when the tasks were read: Watch(since: seq) then
        # replays every change this reply does not show.
        method Get(ids: []string) -> (tasks: []Task, seq: ?int)

        # A page of tasks ordered by task_id, after the cursor; next is the cursor of the following page.
        # Filters given together must all match (status, kind and tag).
        # Extension: seq, as for Get.
        method List(status: ?string, kind: ?string, tag: ?string, limit: ?int, after: ?string) -> (tasks: []Task, next: ?string, seq: ?int)

        # Replies once every listed (or tagged) task is terminal or untracked, with its result settled (done
        # or failed) when one is fetched for it, or when timeout seconds have passed. Needs ids, a tag or both:
        # it waits for all of them, the ids given and every task that carries the tag when the call arrives
        # (a tag no task carries adds none; with no ids either, the reply is done at once with no tasks).
        # tasks: the ids in the order asked, then the other tagged tasks ordered by task_id.
        method Wait(ids: ?[]string, tag: ?string, timeout: ?float) -> (done: bool, tasks: []Task)

        # Call with more: one reply per status change (of the listed ids, or of all tasks), until the caller hangs up.
        # With since, changes recorded after that seq are replayed first.
        # With a tag, the changes of the tasks that carry it (also of tasks added with it later); with ids
        # and a tag, as with Wait, the changes of both: of the listed ids and of the tagged tasks.
        method Watch(ids: ?[]string, tag: ?string, since: ?int) -> (event: Event)

        # Stop tracking and forget the ids.
        method Remove(ids: []string) -> (removed: int)

        # Extension: fetch the results of these SUCCESS tasks now (into results.dir, or a results directory
        # beside the store when it is not set), also those that failed before; requested counts those that
        # will be fetched. Wait for them to settle; their result_path says where each lies.
        method Fetch(ids: []string) -> (requested: int)

        # Extension: what the adaptive schedule (poll.schedule) has learned of one kind's durations:
        # finishes seen (a recent window), and once enough are, the median and p90 seconds from Add to finish.
        type LearnedDurations (finishes: int, median: ?float, p90: ?float)

        # Counts by status and the state of the daemon's link to the API.
        method Stats() -> (
          version: string,
          uptime: float,
          tasks: [string]int,
          checks_total: int,
          checks_failed: int,
          api_state: string,
          api_error: ?string,
          # "hooks.pending", "hooks.failed", "webhooks.pending", "webhooks.failed": not yet made, and given up.
          deliveries: ?[string]int,
          # Extension: Watch calls in progress.
          watchers: ?int,
          # Extension: what last went wrong writing check results to the store (disk full, locked…), if it still does.
          store_error: ?string,
          # Extension: tasks by result state: "pending", "done", "failed".
          results: ?[string]int,
          # Extension: per kind, what the adaptive schedule has learned of its durations.
          schedule: ?[string]LearnedDurations
        )

        error InvalidTaskId (task_id: string, reason: string)
        error TooManyIds (max: int)
        error UnknownKind (kind: string)

        # Extension: the store could not be read or written (disk full, locked, read-only); nothing was changed.
        error StoreUnavailable (reason: string)
        # Extension: a Watch reader fell more than max events behind; the call ends and the connection closes.
        error WatchOverflow (max: int)

        """#

    package static let service = #"""
        # The Varlink Service Interface is provided by every varlink service. It
        # describes the service and the interfaces it implements.
        interface org.varlink.service

        # Get a list of all the interfaces a service provides and information
        # about the implementation.
        method GetInfo() -> (
          vendor: string,
          product: string,
          version: string,
          url: string,
          interfaces: []string
        )

        # Get the description of an interface that is implemented by this service.
        method GetInterfaceDescription(interface: string) -> (description: string)

        # The requested interface was not found.
        error InterfaceNotFound (interface: string)

        # The requested method was not found
        error MethodNotFound (method: string)

        # The interface defines the requested method, but the service does not
        # implement it.
        error MethodNotImplemented (method: string)

        # One of the passed parameters is invalid.
        error InvalidParameter (parameter: string)

        # Client is denied access
        error PermissionDenied ()

        # Method is expected to be called with 'more' set to true, but wasn't
        error ExpectedMore ()

        """#

    /// Interface name to description.
    package static let all: [String: String] = [
        "org.varlink.service": service,
        "io.ttstrack.Tracker": tracker,
    ]
}
