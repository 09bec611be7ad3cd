#pragma once
// Thin RAII wrappers over single-precision FFTW for the simulator. Plans are made once, with
// FFTW_ESTIMATE (so they do not depend on timing measurements and results are reproducible), under
// a lock (FFTW's planner is not thread-safe); executing a plan on other buffers from many threads
// is safe. Buffers come from fftwf_malloc so their alignment matches the plan's.
#include <fftw3.h>

#include <complex>
#include <cstddef>
#include <memory>

namespace tomopick::sim {

struct FftwFree {
  void operator()(void* p) const { fftwf_free(p); }
};
template <class T>
using FftwPtr = std::unique_ptr<T[], FftwFree>;

FftwPtr<float> fftwf_float_buffer(size_t n);              // zero-filled
FftwPtr<fftwf_complex> fftwf_complex_buffer(size_t n);     // zero-filled

// The smallest n' >= n whose prime factors are 2, 3, 5 and 7 (sizes FFTW handles fastest).
int64_t fft_size(int64_t n);

// A real <-> half-complex transform pair of a 1D (n) or 2D (n0 x n1, row-major) real array. The
// complex side has n/2+1 (1D) or n0 x (n1/2+1) (2D) values. Neither direction is normalised.
class RealFft {
public:
  explicit RealFft(int64_t n);             // 1D
  RealFft(int64_t n0, int64_t n1);         // 2D
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  int64_t real_size() const { return real_n_; }
  int64_t complex_size() const { return complex_n_; }
  // in: real_size() floats, out: complex_size() values; both from fftwf_float_buffer / fftwf_complex_buffer.
  void forward(float* in, fftwf_complex* out) const;
  // Destroys `in` (FFTW's c2r overwrites its input).
  void inverse(fftwf_complex* in, float* out) const;

private:
  void make(int rank, const int* n);
  int64_t real_n_ = 0, complex_n_ = 0;
  fftwf_plan fwd_ = nullptr, inv_ = nullptr;
};

}  // namespace tomopick::sim
