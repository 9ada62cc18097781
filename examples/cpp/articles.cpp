// Article A with libswiftloss from C++: the C API called directly (no wrapper classes).
//
//   c++ -std=c++17 articles.cpp $(pkg-config --cflags --libs swiftloss) -o articles && ./articles
#include <swiftloss.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr std::size_t N = 2;  // samples
constexpr std::size_t C = 4;  // classes

void check(swiftloss_status status, const char *what)
{
    if (status != SWIFTLOSS_OK) {
        std::fprintf(stderr, "%s: %s\n", what, swiftloss_status_string(status));
        std::exit(1);
    }
}

void print_rows(const char *title, const std::array<float, N * C> &x)
{
    std::printf("%s:\n", title);
    for (std::size_t n = 0; n < N; n++) {
        std::printf("  [");
        for (std::size_t c = 0; c < C; c++) {
            std::printf("%s%.6f", c ? ", " : "", static_cast<double>(x[n * C + c]));
        }
        std::printf("]\n");
    }
}

}  // namespace

int main()
{
    const std::array<float, N * C> preds = {0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.1f, 0.1f, 0.1f};
    const std::array<std::int64_t, N> target = {2, 3};
    std::array<float, N * C> probs{}, logp{};
    float nll = 0, ce = 0, ce_smooth = 0;

    std::printf("swiftloss %s, article A (C++)\n", swiftloss_version_string());

    // softmax / log_softmax over dim 1 of a (2, 4) array: outer 2, dim 4, inner 1.
    check(swiftloss_softmax_f32(preds.data(), N, C, 1, probs.data()), "softmax");
    check(swiftloss_log_softmax_f32(preds.data(), N, C, 1, logp.data()), "log_softmax");
    print_rows("softmax(preds, dim=1)", probs);
    print_rows("log_softmax(preds, dim=1)", logp);

    // batch 2, classes 4, inner 1, no class weights (nullptr, 0), ignore_index -100, 'mean'.
    check(swiftloss_nll_loss_f32(logp.data(), target.data(), N, C, 1, nullptr, 0, -100,
                                 SWIFTLOSS_REDUCTION_MEAN, &nll), "nll_loss");
    check(swiftloss_cross_entropy_f32(preds.data(), target.data(), N, C, 1, nullptr, 0, -100,
                                      SWIFTLOSS_REDUCTION_MEAN, 0.0, &ce), "cross_entropy");
    check(swiftloss_cross_entropy_f32(preds.data(), target.data(), N, C, 1, nullptr, 0, -100,
                                      SWIFTLOSS_REDUCTION_MEAN, 0.1, &ce_smooth), "cross_entropy");
    std::printf("nll_loss(log_softmax(preds), target) = %.6f\n", static_cast<double>(nll));
    std::printf("cross_entropy(preds, target) = %.6f\n", static_cast<double>(ce));
    std::printf("cross_entropy(preds, target, label_smoothing=0.1) = %.6f\n",
                static_cast<double>(ce_smooth));
    return 0;
}
