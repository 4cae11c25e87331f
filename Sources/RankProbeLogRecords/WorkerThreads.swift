import Dispatch
import Foundation

/// A few threads of our own for the parse slices (and other short parallel jobs of the reader).
///
/// Why not libdispatch: a concurrent `DispatchQueue` sends its work to the global root queue, whose worker
/// count is capped at the core count, and on Linux Swift concurrency runs tasks on those same workers. A
/// caller that is itself such a task (the test runner, a library user in an `async` function) holds one of
/// the two workers of this machine while it waits, so the slices ran one after the other — measured: one
/// thread did all the parsing under `swift test` while the command line, called from the main thread, got
/// two. Threads of our own do not depend on who calls.
///
/// One job per worker at a time: `submit` must not be called for a worker whose previous job's group has
/// not been waited for. The threads end when the pool is released, which must not happen on one of its
/// own threads (so a job must not own the pool).
package final class WorkerThreads: @unchecked Sendable {
    private final class Worker: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        /// Written before `wake` is signalled and read after it is waited for (the semaphore orders them);
        /// nil tells the thread to end.
        var job: (@Sendable () -> Void)?
    }

    private let workers: [Worker]
    private let ended = DispatchGroup()

    package init(count: Int) {
        workers = (0..<max(0, count)).map { _ in Worker() }
        for worker in workers {
            ended.enter()
            let ended = self.ended
            let thread = Thread {
                while true {
                    worker.wake.wait()
                    guard let job = worker.job else { break }
                    worker.job = nil
                    job()
                }
                ended.leave()
            }
            thread.name = "rankprobe.log-parser"
            thread.start()
        }
    }

    var count: Int { workers.count }

    /// Runs `job` on worker `index`; `group` is left when it is done.
    package func submit(_ index: Int, group: DispatchGroup, _ job: @escaping @Sendable () -> Void) {
        group.enter()
        workers[index].job = { job(); group.leave() }
        workers[index].wake.signal()
    }

    deinit {
        for worker in workers { worker.job = nil; worker.wake.signal() }
        ended.wait()
    }
}
