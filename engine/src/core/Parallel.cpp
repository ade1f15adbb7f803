#include "trygg/core/Parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace trygg {

unsigned threadCount(int threads) {
    const unsigned t = threads > 0 ? static_cast<unsigned>(threads) : std::thread::hardware_concurrency();
    return std::max(1u, t);
}

void parallelBlocks(std::size_t n, std::size_t block, int threads, const std::function<void()>& checkCancelled,
                    const std::function<void(std::size_t, std::size_t, unsigned)>& body) {
    block = std::max<std::size_t>(1, block);
    const unsigned count = std::min<std::size_t>(threadCount(threads), std::max<std::size_t>(1, (n + block - 1) / block));
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failureMutex;
    const auto worker = [&](unsigned thread) {
        try {
            for (;;) {
                if (stop) return;
                if (thread == 0 && checkCancelled) checkCancelled();
                const std::size_t begin = next.fetch_add(block);
                if (begin >= n) return;
                body(begin, std::min(n, begin + block), thread);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure) failure = std::current_exception();
            stop = true;
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < count; ++t) pool.emplace_back(worker, t);
    worker(0);
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

} // namespace trygg
