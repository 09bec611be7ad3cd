// Times scoring at scale: bench_eval [REPEATS] [THREADS]
// 10^5 truth points and 10^6 scored picks over 10 runs x 5 CZII types (3 jittered picks per particle,
// 7 x 10^5 random ones), in CZII-sized tomograms (6300 x 6300 x 1840 Å). Prints the best wall time
// of each step; also one group of 10^6 picks against 10^5 truths (the neighbour search alone).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>

#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"
#include "tomopick/eval/czii_score.h"
#include "tomopick/eval/match.h"

using namespace tomopick;

namespace {

constexpr double kBox[3] = {6300, 6300, 1840};

template <class F>
double best_of(int repeats, const char* what, F&& f) {
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << what << " " << i << ": " << s << " s\n";
    best = std::min(best, s);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 3;
  const int threads = configure_threads(argc > 2 ? std::optional<int>(std::atoi(argv[2])) : std::nullopt);
  try {
    std::mt19937_64 rng(2024);
    std::uniform_real_distribution<double> ux(0, kBox[0]), uy(0, kBox[1]), uz(0, kBox[2]), u01(0, 1);
    const std::vector<std::string> types = {"apo-ferritin", "beta-galactosidase", "ribosome", "thyroglobulin",
                                            "virus-like-particle"};
    const int runs = 10, per_group = 2000, jittered = 3, random_picks = 700000;
    std::vector<PickSet> truth, picks;
    for (int r = 0; r < runs; ++r)
      for (const auto& t : types) {
        const double radius = find_particle_type(czii_particle_types(), t)->radius_A;
        std::normal_distribution<double> jitter(0, 0.2 * radius);
        PickSet ts, ps;
        ts.run = ps.run = "TS_" + std::to_string(r);
        ts.object = ps.object = t;
        for (int i = 0; i < per_group; ++i) {
          Pick p;
          p.x = ux(rng), p.y = uy(rng), p.z = uz(rng);
          ts.points.push_back(p);
          for (int k = 0; k < jittered; ++k) {
            Pick q = p;
            q.x += jitter(rng), q.y += jitter(rng), q.z += jitter(rng);
            q.score = 0.3 + 0.7 * u01(rng);
            ps.points.push_back(q);
          }
        }
        truth.push_back(std::move(ts));
        picks.push_back(std::move(ps));
      }
    for (int i = 0; i < random_picks; ++i) {
      Pick q;
      q.x = ux(rng), q.y = uy(rng), q.z = uz(rng);
      q.score = 0.6 * u01(rng);
      picks[size_t(rng() % picks.size())].points.push_back(q);
    }
    std::printf("scoring %zu picks against %zu truth points (%d runs x %zu types), %d threads\n", count_picks(picks),
                count_picks(truth), runs, types.size(), threads);

    // One group: 10^6 picks against 10^5 ribosomes in one tomogram (75 Å reach).
    std::vector<Vec3d> q1(1000000), t1(100000);
    for (auto& p : q1) p = {ux(rng), uy(rng), uz(rng)};
    for (auto& p : t1) p = {ux(rng), uy(rng), uz(rng)};
    size_t pairs = 0;
    const double nb = best_of(repeats, "neighbours", [&] { pairs = find_neighbours(q1, t1, 75).pairs(); });
    std::printf("%-44s %8.3f s  (%zu pairs)\n", "neighbour search, one group 10^6 x 10^5", nb, pairs);

    double score = 0;
    for (const Matching m : {Matching::kaggle, Matching::greedy, Matching::optimal}) {
      CziiOptions o;
      o.matching = m;
      const double s = best_of(repeats, "czii_score", [&] { score = czii_score(truth, picks, o).score; });
      std::printf("%-44s %8.3f s  (score %.6f)\n", ("czii_score, matching " + matching_name(m)).c_str(), s, score);
    }
    size_t points = 0;
    const double pr = best_of(repeats, "czii_pr_curves", [&] {
      points = 0;
      for (const auto& c : czii_pr_curves(truth, picks, {})) points += c.points.size();
    });
    std::printf("%-44s %8.3f s  (%zu curve points)\n", "czii_pr_curves (tune), matching kaggle", pr, points);
    return 0;
  } catch (const Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
