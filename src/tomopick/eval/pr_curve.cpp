#include "tomopick/eval/pr_curve.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "tomopick/core/error.h"

namespace tomopick {

namespace {

// Adds picks one tie group at a time and keeps the number of truths matched.
class Matcher {
public:
  Matcher(const TypeMatches& m, Matching mode) : m_(m), mode_(mode) {
    truth_taken_.assign(size_t(m.truths), 0);
    if (mode == Matching::greedy) pick_taken_.assign(m.scores.size(), 0);
    if (mode == Matching::optimal) {
      owner_.assign(size_t(m.truths), -1);
      seen_.assign(size_t(m.truths), 0);
    }
  }

  // Adds picks that share one score (all of them count as kept from now on).
  void add_group(std::span<const int64_t> picks) {
    picks_ += int64_t(picks.size());
    switch (mode_) {
      case Matching::kaggle:
        for (const int64_t p : picks)
          for (const int32_t t : m_.neighbours.refs_of(size_t(p))) take(t);
        break;
      case Matching::greedy:
        add_greedy(picks);
        break;
      case Matching::optimal:
        for (const int64_t p : picks) augment(p);
        break;
    }
  }

  int64_t picks() const { return picks_; }
  int64_t tp() const { return tp_; }
  Counts counts() const { return {tp_, picks_ - tp_, m_.truths - tp_}; }

private:
  void take(int32_t t) {
    if (!truth_taken_[size_t(t)]) {
      truth_taken_[size_t(t)] = 1;
      ++tp_;
    }
  }

  // Closest pairs first among this group's picks and the still-free truths; ties by pick, then truth.
  void add_greedy(std::span<const int64_t> picks) {
    pairs_.clear();
    for (const int64_t p : picks) {
      const auto refs = m_.neighbours.refs_of(size_t(p));
      const auto d2 = m_.neighbours.d2_of(size_t(p));
      for (size_t k = 0; k < refs.size(); ++k)
        if (!truth_taken_[size_t(refs[k])]) pairs_.emplace_back(d2[k], p, refs[k]);
    }
    std::sort(pairs_.begin(), pairs_.end());
    for (const auto& [d, p, t] : pairs_) {
      if (pick_taken_[size_t(p)] || truth_taken_[size_t(t)]) continue;
      pick_taken_[size_t(p)] = 1;
      take(t);
    }
  }

  // Kuhn's augmenting path from a new pick (iterative depth-first search). Adding picks one at a time
  // this way keeps the matching maximum for the picks added so far.
  void augment(int64_t root) {
    for (const int32_t t : m_.neighbours.refs_of(size_t(root)))
      if (owner_[size_t(t)] < 0) return assign(root, t);
    if (m_.neighbours.refs_of(size_t(root)).empty()) return;
    ++stamp_;
    stack_.clear();
    stack_.push_back({root, 0, -1});
    while (!stack_.empty()) {
      const int64_t p = stack_.back().pick;
      const auto refs = m_.neighbours.refs_of(size_t(p));
      if (stack_.back().next == refs.size()) {
        stack_.pop_back();
        continue;
      }
      const int32_t t = refs[stack_.back().next++];
      if (seen_[size_t(t)] == stamp_) continue;
      seen_[size_t(t)] = stamp_;
      if (owner_[size_t(t)] < 0) {  // free: shift every pick on the path to its next truth
        int32_t cur = t;
        for (size_t i = stack_.size(); i-- > 0;) {
          const int32_t freed = stack_[i].via;
          owner_[size_t(cur)] = stack_[i].pick;
          cur = freed;
        }
        take(t);
        return;
      }
      stack_.push_back({owner_[size_t(t)], 0, t});
    }
  }

  void assign(int64_t p, int32_t t) {
    owner_[size_t(t)] = p;
    take(t);
  }

  const TypeMatches& m_;
  Matching mode_;
  int64_t picks_ = 0, tp_ = 0;
  std::vector<char> truth_taken_, pick_taken_;
  std::vector<std::tuple<double, int64_t, int32_t>> pairs_;
  std::vector<int64_t> owner_;  // truth -> pick (optimal)
  std::vector<uint32_t> seen_;  // truth -> stamp of the last search that visited it
  uint32_t stamp_ = 0;
  struct Frame {
    int64_t pick;
    size_t next;  // next neighbour of `pick` to try
    int32_t via;  // the truth, matched to `pick`, through which the search reached it (-1 at the root)
  };
  std::vector<Frame> stack_;
};

void check_scores(const TypeMatches& m) {
  if (m.neighbours.queries() != m.scores.size()) throw Error("internal: neighbour table and scores differ in size");
  for (const double s : m.scores)
    if (std::isnan(s)) throw Error("a pick has a NaN score");
}

// Pick indices with score >= min_score, highest score first (input order among equal scores). Sorts
// (score, index) pairs: comparing in place is much faster than looking scores up through indices.
std::vector<int64_t> by_descending_score(const TypeMatches& m, double min_score) {
  std::vector<std::pair<double, int64_t>> keyed;
  keyed.reserve(m.scores.size());
  for (size_t i = 0; i < m.scores.size(); ++i)
    if (m.scores[i] >= min_score) keyed.emplace_back(-m.scores[i], int64_t(i));
  std::sort(keyed.begin(), keyed.end());
  std::vector<int64_t> order(keyed.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

// Calls f(begin, end) for each run of equal scores in `order`.
template <class F>
void for_each_tie_group(const TypeMatches& m, const std::vector<int64_t>& order, F&& f) {
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && m.scores[size_t(order[j])] == m.scores[size_t(order[i])]) ++j;
    f(i, j);
    i = j;
  }
}

}  // namespace

std::string matching_name(Matching m) {
  switch (m) {
    case Matching::kaggle: return "kaggle";
    case Matching::greedy: return "greedy";
    case Matching::optimal: return "optimal";
  }
  return "?";
}

Matching parse_matching(const std::string& s) {
  if (s == "kaggle") return Matching::kaggle;
  if (s == "greedy") return Matching::greedy;
  if (s == "optimal" || s == "hungarian") return Matching::optimal;
  throw Error("unknown matching '" + s + "' (expected kaggle, greedy or optimal)");
}

Rates czii_rates(const Counts& c, double beta) {
  Rates r;
  r.precision = c.tp + c.fp > 0 ? double(c.tp) / double(c.tp + c.fp) : 0.0;
  r.recall = c.tp + c.fn > 0 ? double(c.tp) / double(c.tp + c.fn) : 0.0;
  const double b2 = beta * beta;
  r.fbeta = r.precision + r.recall > 0 ? (1 + b2) * (r.precision * r.recall) / (b2 * r.precision + r.recall) : 0.0;
  return r;
}

Counts count_matches(const TypeMatches& m, Matching matching, double min_score) {
  check_scores(m);
  Matcher matcher(m, matching);
  if (matching == Matching::greedy) {  // only greedy depends on the order
    const auto order = by_descending_score(m, min_score);
    for_each_tie_group(m, order, [&](size_t i, size_t j) { matcher.add_group({order.data() + i, j - i}); });
  } else {
    for (size_t i = 0; i < m.scores.size(); ++i) {
      if (!(m.scores[i] >= min_score)) continue;
      const int64_t p = int64_t(i);
      matcher.add_group({&p, 1});
    }
  }
  return matcher.counts();
}

std::vector<PrPoint> pr_curve(const TypeMatches& m, Matching matching, double beta) {
  check_scores(m);
  const auto order = by_descending_score(m, -std::numeric_limits<double>::infinity());
  Matcher matcher(m, matching);
  std::vector<PrPoint> curve;
  for_each_tie_group(m, order, [&](size_t i, size_t j) {
    matcher.add_group({order.data() + i, j - i});
    PrPoint pt;
    pt.threshold = m.scores[size_t(order[i])];
    pt.picks = matcher.picks();
    pt.counts = matcher.counts();
    pt.rates = czii_rates(pt.counts, beta);
    curve.push_back(pt);
  });
  return curve;
}

int64_t best_point(const std::vector<PrPoint>& curve) {
  int64_t best = -1;
  double best_f = 0;
  for (size_t i = 0; i < curve.size(); ++i)
    if (curve[i].rates.fbeta > best_f) {  // strict: the earlier (higher) threshold wins ties
      best_f = curve[i].rates.fbeta;
      best = int64_t(i);
    }
  return best;
}

}  // namespace tomopick
