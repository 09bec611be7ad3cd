#pragma once
// Electron optics of the weak-phase approximation: the wavelength and interaction constant at an
// accelerating voltage, the contrast transfer function and the radiation-damage (exposure) filter.
//
//   lambda(V)   = h / sqrt(2 m0 e V (1 + e V / (2 m0 c^2)))  = 12.2643 / sqrt(V (1 + 0.978466e-6 V)) Å
//   sigma(V)    = 2 pi / (lambda V) * (m0 c^2 + e V) / (2 m0 c^2 + e V)   rad / (V Å)   (6.53e-4 at 300 kV)
//   chi(k)      = pi lambda df k^2 - pi/2 Cs lambda^3 k^4          (df > 0 = underfocus)
//   CTF(k)      = -(sqrt(1 - A^2) sin chi + A cos chi) * exp(-B k^2 / 4)
//   image       = 1 + 2 F^-1{ CTF * F{phi} },  phi = sigma * projected potential
// so for underfocus the CTF is negative at low frequency and dense matter (positive potential) comes
// out DARK, as in real tomograms. Exposure filter (Grant & Grigorieff 2015, eLife 4:e06980): a
// frequency k loses amplitude as exp(-N / (2 Ne(k))), Ne(k) = 0.245 k^-1.665 + 2.81 e/Å^2, after an
// accumulated exposure N.
#include <cstdint>
#include <functional>
#include <string>

namespace tomopick::sim {

double electron_wavelength_A(double kv);
double interaction_constant(double kv);  // rad per V·Å

struct CtfParams {
  double kv = 300;
  double cs_mm = 2.7;
  double defocus_A = 30000;  // underfocus positive
  double amplitude_contrast = 0.07;
  double bfactor = 0;        // Å^2
};

// CTF at spatial frequency k (1/Å), envelope included.
double ctf_value(const CtfParams& p, double k);
// The first zero of the CTF (1/Å): the smallest k > 0 with chi(k) = pi - asin(A).
double ctf_first_zero(const CtfParams& p);
// Amplitude left at frequency k (1/Å) after `exposure` e/Å^2 (Grant & Grigorieff).
double exposure_filter(double k, double exposure);

// What the reconstruction does about the CTF before back-projecting a recorded tilt (gain G):
//   none        the image as recorded (dense matter dark only where the CTF is in its first lobe)
//   phase_flip  G = -sign(CTF): every lobe gets the first lobe's sign, the transfer 2 CTF G = -2 |CTF| (IMOD's
//               ctfphaseflip). It leaves everything coarser than the first zero (26-31 Å at 3-5 µm) alone.
//   wiener      G = -C / (C^2 + 1/SSNR(k)), C the CTF without its envelope, SSNR(k) = ssnr exp(-k falloff_A):
//               the deconvolution of Warp and IsoNet (IsoNet's defaults deconvstrength 1 and snrfalloff 1 are
//               ssnr 1000 and falloff_A 200 Å). It restores the low frequencies the weak-phase CTF hardly
//               transfers, without which a hollow shell gets a bright centre and large particles bright halos.
// Every mode but `none` keeps dense matter dark: the corrected transfer 2 CTF G is never positive.
enum class CtfCorrection { none, phase_flip, wiener };

struct CtfCorrectionParams {
  CtfCorrection mode = CtfCorrection::none;
  double ssnr = 1000;      // wiener: assumed spectral SNR at k = 0
  double falloff_A = 200;  // wiener: SSNR(k) = ssnr exp(-k falloff_A)
};

const char* ctf_correction_name(CtfCorrection mode);
// "none", "phase-flip" or "wiener"; anything else is an Error listing them.
CtfCorrection parse_ctf_correction(const std::string& name);
// The correction's gain G at frequency k (1/Å) for the CTF `p` (see CtfCorrection).
double ctf_correction_gain(const CtfParams& p, const CtfCorrectionParams& c, double k);

// Multiplies a real image (ny x nx, row-major, pixel `pixel_A`) by `filter(k)` in Fourier space, k in 1/Å;
// the image is zero-padded to FFT-friendly sizes of at least (ny + pad, nx + pad) so that the
// filter's delocalisation does not wrap around.
void filter_image(float* image, int64_t ny, int64_t nx, double pixel_A, int64_t pad,
                  const std::function<double(double)>& filter);

}  // namespace tomopick::sim
