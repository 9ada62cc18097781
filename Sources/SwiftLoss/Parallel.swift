#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

// Work splitting for large inputs.
//
// A call's work is cut into chunks whose boundaries depend only on the sizes, never on the
// number of threads; each chunk stores its partial sum at its own index and the partial sums
// are added in chunk order. So results are bitwise identical whatever the thread count, and
// whichever thread ran which chunk. Below `parallelThreshold` elements everything runs on the
// calling thread.
//
// Large calls run on a persistent pool (`WorkerPool`): its threads are started the first time
// they are needed; after a call each polls for the next one for at most `spinNanoseconds`,
// then sleeps on a condition variable until a call needs it. The calling thread takes part;
// chunks are claimed from an atomic counter. One call uses the
// pool at a time: a call that finds it busy (another thread's call, or a call from inside a
// chunk) runs its chunks on its own thread. After fork() the child finds a pool that belongs
// to its parent (the process id differs) and starts a pool of its own; the parent's threads
// do not exist in the child, and nothing waits for them.

/// Work (elements times their cost, see `ElementFormula.cost`) below which a call stays on
/// the calling thread.
@usableFromInline let parallelThreshold = 1 << 17

/// Work units (as `parallelThreshold`) per chunk.
@usableFromInline let chunkElements = 1 << 15

/// The thread count set by `setThreadCount` (0: not set).
@usableFromInline let configuredThreads = Atomic<Int>(0)

/// The default thread count: `SWIFTLOSS_NUM_THREADS` if set to a positive integer, else the
/// number of online processors, at most 64.
@usableFromInline let defaultThreads: Int = {
    if let s = getenv("SWIFTLOSS_NUM_THREADS"), let n = Int(String(cString: s)), n > 0 {
        return min(n, 256)
    }
    let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    return max(1, min(online, 64))
}()

/// Sets the number of threads large calls use (1: never start a thread; 0: back to the
/// default, `SWIFTLOSS_NUM_THREADS` or the processor count). Values above 256 are clamped.
public func setThreadCount(_ n: Int) {
    configuredThreads.store(max(0, min(n, 256)), ordering: .relaxed)
}

/// The number of threads large calls use.
public func threadCount() -> Int {
    let n = configuredThreads.load(ordering: .relaxed)
    return n > 0 ? n : defaultThreads
}

/// The work of one parallel call, shared by the threads that take part: each claims the next
/// chunk from `next` and stores its partial sums at the chunk's index.
@usableFromInline
final class ChunkJob: @unchecked Sendable {
    @usableFromInline let chunks: Int
    @usableFromInline let body: (Int) -> SIMD2<Double>
    @usableFromInline let partials: UnsafeMutablePointer<SIMD2<Double>>
    @usableFromInline let next = Atomic<Int>(0)

    @inlinable
    init(chunks: Int, partials: UnsafeMutablePointer<SIMD2<Double>>, body: @escaping (Int) -> SIMD2<Double>) {
        self.chunks = chunks
        self.partials = partials
        self.body = body
    }

    @inlinable
    func run() {
        while true {
            let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if c >= chunks { return }
            partials[c] = body(c)
        }
    }
}

/// Runs `body(c)` for every chunk `c` in `0..<chunks` and returns the sum of the results
/// (two independent sums, added lane by lane in chunk order). Uses up to `threadCount()`
/// threads (the caller and pool workers) when `work` (elements times their cost) is at least
/// `parallelThreshold`.
@inlinable
func sumOverChunks(_ chunks: Int, work: Int, _ body: (Int) -> SIMD2<Double>) -> SIMD2<Double> {
    let threads = work >= parallelThreshold ? min(threadCount(), chunks) : 1
    if threads <= 1 {
        var total = SIMD2<Double>()
        for c in 0..<chunks { total += body(c) }
        return total
    }
    return withoutActuallyEscaping(body) { body in
        withUnsafeTemporaryAllocation(of: SIMD2<Double>.self, capacity: chunks) { partials in
            let job = ChunkJob(chunks: chunks, partials: partials.baseAddress!, body: body)
            WorkerPool.current().run(job, threads: threads)
            var total = SIMD2<Double>()
            for c in 0..<chunks { total += partials[c] }
            return total
        }
    }
}

/// How long a worker keeps polling for the next job after finishing one, and a caller for its
/// workers to finish, before sleeping on a condition variable: waking a sleeping thread costs
/// tens of microseconds (measured here: a helper woken for a 80 us call did not shorten it),
/// while calls often come back to back (forward, then backward). Bounded: an idle worker
/// sleeps within this time of its last job.
@usableFromInline let spinNanoseconds: UInt64 = 100_000

/// CLOCK_MONOTONIC in nanoseconds.
@usableFromInline
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Polls `done` until it returns true or `spinNanoseconds` have passed; returns its last answer.
@inline(__always)
func spin(until done: () -> Bool) -> Bool {
    let start = monotonicNanoseconds()
    while true {
        for _ in 0..<64 { if done() { return true } }
        if monotonicNanoseconds() &- start > spinNanoseconds { return done() }
    }
}

/// The persistent worker threads (see the top of this file). Workers are numbered from 1. A
/// call publishes its job as a new generation; workers 1...participants take it (the others
/// ignore it), and a worker that comes late finds the job withdrawn and waits for the next.
@usableFromInline
final class WorkerPool: @unchecked Sendable {
    /// The process the pool's threads belong to.
    let pid: pid_t
    /// One job at a time: set by the call that owns the pool.
    let busy = Atomic<Bool>(false)
    /// Bumped (under the mutex) when a job is published; polled without it.
    let generation = Atomic<UInt64>(0)
    /// Workers that took the current job and have not finished with it (changed under the
    /// mutex; polled without it).
    let active = Atomic<Int>(0)
    /// Guards everything below, and the sleeping on the two conditions.
    let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Workers sleep here for a new generation.
    let wake: UnsafeMutablePointer<pthread_cond_t>
    /// The caller sleeps here for its workers to finish.
    let finished: UnsafeMutablePointer<pthread_cond_t>
    /// The job being run (nil once its caller has claimed the last chunk). Unretained: the
    /// caller holds it until every worker that took it is done, and no worker may hold a
    /// reference after that (the job's body is a non-escaping closure of the caller's).
    var job: Unmanaged<ChunkJob>?
    /// Workers 1...participants may take part in the current generation.
    var participants = 0
    /// Workers asleep on `wake`; a caller asleep on `finished`.
    var sleepers = 0, callerAsleep = false
    var workers = 0
    /// What each worker thread was started with (kept here, so that it stays reachable).
    var starts: [WorkerStart] = []
    /// After fork(): the parent's pool, kept (its threads do not exist here, but its memory
    /// stays reachable rather than leaked).
    let previous: WorkerPool?

    init(previous: WorkerPool?) {
        self.previous = previous
        pid = getpid()
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        finished = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(finished, nil)
    }

    /// The pool of this process (Unmanaged pointer bits; 0 before the first parallel call).
    static let shared = Atomic<Int>(0)

    /// This process's pool, created on first use or after a fork.
    @usableFromInline
    static func current() -> WorkerPool {
        let bits = shared.load(ordering: .acquiring)
        var parent: WorkerPool?
        if bits != 0 {
            let pool = Unmanaged<WorkerPool>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).takeUnretainedValue()
            if pool.pid == getpid() { return pool }
            parent = pool
        }
        // None yet, or the parent's (after fork: left as it is, its threads are gone).
        let fresh = Unmanaged.passRetained(WorkerPool(previous: parent))
        let freshBits = Int(bitPattern: fresh.toOpaque())
        let (exchanged, winner) = shared.compareExchange(expected: bits, desired: freshBits,
                                                         successOrdering: .acquiringAndReleasing,
                                                         failureOrdering: .acquiring)
        if exchanged { return fresh.takeUnretainedValue() }
        fresh.release()
        return Unmanaged<WorkerPool>.fromOpaque(UnsafeRawPointer(bitPattern: winner)!).takeUnretainedValue()
    }

    /// Runs `job` on the calling thread and up to `threads - 1` workers, and returns when
    /// every chunk is done. If the pool is busy, or no worker can be started, the calling
    /// thread runs every chunk.
    @usableFromInline
    func run(_ job: ChunkJob, threads: Int) {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            job.run()
            return
        }
        pthread_mutex_lock(mutex)
        while workers < threads - 1 && startWorker(workers + 1) { workers += 1 }
        let helpers = min(threads - 1, workers)
        if helpers > 0 {
            self.job = Unmanaged.passUnretained(job)
            participants = helpers
            generation.wrappingAdd(1, ordering: .releasing)
            if sleepers > 0 { pthread_cond_broadcast(wake) }
        }
        pthread_mutex_unlock(mutex)
        job.run()
        if helpers > 0 {
            // Every chunk is claimed: withdraw the job (a worker that looks later finds
            // nothing to do) and wait only for the workers that took it (they may still be
            // running a chunk; the job and its body must outlive them).
            pthread_mutex_lock(mutex)
            self.job = nil
            pthread_mutex_unlock(mutex)
            if !spin(until: { active.load(ordering: .acquiring) == 0 }) {
                pthread_mutex_lock(mutex)
                callerAsleep = true
                while active.load(ordering: .acquiring) > 0 { pthread_cond_wait(finished, mutex) }
                callerAsleep = false
                pthread_mutex_unlock(mutex)
            }
        }
        busy.store(false, ordering: .releasing)
    }

    /// The loop of worker `index` (from 1): wait for a generation after `seen` (polling for
    /// `spinNanoseconds`, then asleep), take its job if this worker is a participant and the
    /// job is still there, run it, report. (`seen` starts at the generation when the worker
    /// was created: the job it was started for may be published before the thread runs.)
    func work(_ index: Int, after start: UInt64) {
        var seen = start
        while true {
            if !spin(until: { generation.load(ordering: .acquiring) != seen }) {
                pthread_mutex_lock(mutex)
                sleepers += 1
                while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(wake, mutex) }
                sleepers -= 1
                pthread_mutex_unlock(mutex)
            }
            pthread_mutex_lock(mutex)
            seen = generation.load(ordering: .acquiring)
            guard index <= participants, let job else {
                pthread_mutex_unlock(mutex)
                continue
            }
            active.wrappingAdd(1, ordering: .relaxed)
            pthread_mutex_unlock(mutex)
            job._withUnsafeGuaranteedRef { $0.run() }
            pthread_mutex_lock(mutex)
            active.wrappingSubtract(1, ordering: .releasing)
            if callerAsleep && active.load(ordering: .relaxed) == 0 { pthread_cond_signal(finished) }
            pthread_mutex_unlock(mutex)
        }
    }

    /// Starts worker `index` (detached); false if the thread cannot be created. Called with
    /// the mutex held.
    func startWorker(_ index: Int) -> Bool {
        let start = WorkerStart(self, index, generation.load(ordering: .relaxed))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Glibc) || canImport(Musl)
        var tid = pthread_t()
        #else
        var tid: pthread_t?
        #endif
        let rc = pthread_create(&tid, &attributes, { raw in
            #if canImport(Darwin)
            let start = Unmanaged<WorkerStart>.fromOpaque(raw).takeUnretainedValue()
            #else
            let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeUnretainedValue()
            #endif
            // Signals go to the program's own threads, never to a worker.
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)
            start.pool.work(start.index, after: start.generation)
            return nil
        }, Unmanaged.passUnretained(start).toOpaque())
        if rc == 0 { starts.append(start) }
        return rc == 0
    }
}

final class WorkerStart {
    let pool: WorkerPool
    let index: Int
    let generation: UInt64
    init(_ pool: WorkerPool, _ index: Int, _ generation: UInt64) {
        self.pool = pool; self.index = index; self.generation = generation
    }
}
