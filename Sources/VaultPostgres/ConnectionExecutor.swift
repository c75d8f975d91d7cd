import NIOCore
import PostgresNIO

/// Runs an operation's Swift code on the event loop of the connection it uses.
///
/// Every statement's answer arrives on the connection's event loop; without a preference the
/// operation then resumes on Swift's global executor, another thread, woken for each round trip
/// (in the profile of PostgreSQL submissions: `_raw_spin_unlock_irqrestore`, the group's writer
/// waiting on wake-ups while it held the audit lock). With this executor as the task's preference
/// the answer and the code that follows it run on the same thread, in the same loop turn.
/// Operations run here are short: rules, signing a receipt, building the next statement.
final class ConnectionExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs `body` with the connection's event loop as the preferred executor of its task.
    static func onEventLoop<Result>(of connection: PostgresConnection, _ body: () async throws -> Result) async throws -> Result {
        try await withTaskExecutorPreference(ConnectionExecutor(connection.eventLoop), operation: body)
    }
}
