#include "tomopick/sim/fft.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>

#include "tomopick/core/error.h"

namespace tomopick::sim {

namespace {
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

FftwPtr<float> fftwf_float_buffer(size_t n) {
  auto* p = static_cast<float*>(fftwf_malloc(sizeof(float) * (n ? n : 1)));
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, sizeof(float) * (n ? n : 1));
  return FftwPtr<float>(p);
}

FftwPtr<fftwf_complex> fftwf_complex_buffer(size_t n) {
  auto* p = static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * (n ? n : 1)));
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, sizeof(fftwf_complex) * (n ? n : 1));
  return FftwPtr<fftwf_complex>(p);
}

int64_t fft_size(int64_t n) {
  for (int64_t m = std::max<int64_t>(n, 1);; ++m) {
    int64_t r = m;
    for (int64_t p : {2, 3, 5, 7})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}

RealFft::RealFft(int64_t n) {
  const int dims[1] = {int(n)};
  real_n_ = n;
  complex_n_ = n / 2 + 1;
  make(1, dims);
}

RealFft::RealFft(int64_t n0, int64_t n1) {
  const int dims[2] = {int(n0), int(n1)};
  real_n_ = n0 * n1;
  complex_n_ = n0 * (n1 / 2 + 1);
  make(2, dims);
}

void RealFft::make(int rank, const int* n) {
  auto in = fftwf_float_buffer(size_t(real_n_));
  auto out = fftwf_complex_buffer(size_t(complex_n_));
  std::lock_guard<std::mutex> lock(planner_mutex());
  fwd_ = fftwf_plan_dft_r2c(rank, n, in.get(), out.get(), FFTW_ESTIMATE);
  inv_ = fftwf_plan_dft_c2r(rank, n, out.get(), in.get(), FFTW_ESTIMATE);
  if (!fwd_ || !inv_) throw Error("FFTW could not plan a transform of " + std::to_string(real_n_) + " values");
}

RealFft::~RealFft() {
  std::lock_guard<std::mutex> lock(planner_mutex());
  if (fwd_) fftwf_destroy_plan(fwd_);
  if (inv_) fftwf_destroy_plan(inv_);
}

void RealFft::forward(float* in, fftwf_complex* out) const { fftwf_execute_dft_r2c(fwd_, in, out); }
void RealFft::inverse(fftwf_complex* in, float* out) const { fftwf_execute_dft_c2r(inv_, in, out); }

}  // namespace tomopick::sim
