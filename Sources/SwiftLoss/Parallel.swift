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
// number of threads; each chunk returns its partial sum and the partial sums are added in
// chunk order. So results are bitwise identical whatever the thread count. Threads are
// started for the call and joined before it returns (no pool, nothing left running, safe
// across fork()); below `parallelThreshold` elements everything runs on the calling thread.

/// Elements of work below which a call stays on the calling thread.
@usableFromInline let parallelThreshold = 1 << 18

/// Elements of work per chunk.
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

/// The work of one parallel call, shared by its threads: thread `k` runs chunks
/// `k, k + threads, k + 2 * threads, ...` and stores each chunk's partial sums.
@usableFromInline
final class ChunkJob: @unchecked Sendable {
    @usableFromInline let chunks: Int
    @usableFromInline let threads: Int
    @usableFromInline let body: (Int) -> SIMD2<Double>
    @usableFromInline let partials: UnsafeMutablePointer<SIMD2<Double>>

    @inlinable
    init(chunks: Int, threads: Int, partials: UnsafeMutablePointer<SIMD2<Double>>,
         body: @escaping (Int) -> SIMD2<Double>) {
        self.chunks = chunks
        self.threads = threads
        self.partials = partials
        self.body = body
    }

    @inlinable
    func run(_ k: Int) {
        var c = k
        while c < chunks { partials[c] = body(c); c += threads }
    }
}

@usableFromInline
final class ThreadStart {
    @usableFromInline let job: ChunkJob
    @usableFromInline let index: Int
    @inlinable init(_ job: ChunkJob, _ index: Int) { self.job = job; self.index = index }
}

/// Runs `body(c)` for every chunk `c` in `0..<chunks` and returns the sum of the results
/// (two independent sums, added lane by lane in chunk order). Uses up to `threadCount()`
/// threads when `work` (elements) is at least `parallelThreshold`; if a thread cannot be
/// started, its chunks run here instead.
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
            let job = ChunkJob(chunks: chunks, threads: threads, partials: partials.baseAddress!, body: body)
            runThreads(job)
            var total = SIMD2<Double>()
            for c in 0..<chunks { total += partials[c] }
            return total
        }
    }
}

/// Starts `job.threads - 1` threads, runs share 0 here, joins them. A share whose thread
/// could not be started is run here too.
@usableFromInline
func runThreads(_ job: ChunkJob) {
    #if canImport(Glibc) || canImport(Musl)
    var started: [(pthread_t, Unmanaged<ThreadStart>)] = []
    #else
    var started: [(pthread_t?, Unmanaged<ThreadStart>)] = []
    #endif
    started.reserveCapacity(job.threads)
    for k in 1..<job.threads {
        let start = Unmanaged.passRetained(ThreadStart(job, k))
        #if canImport(Glibc) || canImport(Musl)
        var tid = pthread_t()
        #else
        var tid: pthread_t?
        #endif
        let rc = pthread_create(&tid, nil, { raw in
            #if canImport(Darwin)
            let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeUnretainedValue()
            #else
            let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeUnretainedValue()
            #endif
            start.job.run(start.index)
            return nil
        }, start.toOpaque())
        if rc == 0 {
            started.append((tid, start))
        } else {
            job.run(k)
            start.release()
        }
    }
    job.run(0)
    for (tid, start) in started {
        #if canImport(Darwin)
        pthread_join(tid!, nil)
        #else
        pthread_join(tid, nil)
        #endif
        start.release()
    }
}
