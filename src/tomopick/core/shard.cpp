#include "tomopick/core/shard.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "tomopick/core/error.h"

namespace tomopick {

namespace {

std::optional<int64_t> parse_int(const std::string& text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Shard checked(Shard s, const std::string& what) {
  if (s.count < 1) throw Error(what, "the number of shards must be at least 1, got " + std::to_string(s.count));
  if (s.index < 0 || s.index >= s.count)
    throw Error(what, "shard index " + std::to_string(s.index) + " is not below the number of shards " +
                          std::to_string(s.count) + " (indices are 0-based)");
  return s;
}

}  // namespace

int64_t env_int(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  const auto n = parse_int(v ? v : "");
  if (!n) throw Error(name, std::string("must be a non-negative integer, got '") + (v ? v : "") + "'");
  return *n;
}

EnvLookup process_environment() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

Shard find_shard(const std::string& option, const EnvLookup& env) {
  if (!option.empty()) {
    const auto slash = option.find('/');
    const auto i = parse_int(option.substr(0, slash)), n = slash == std::string::npos ? std::nullopt : parse_int(option.substr(slash + 1));
    if (!i || !n) throw Error("--shard", "'" + option + "' must be I/N: this process's 0-based index and the number of shards");
    return checked({*i, *n, "--shard"}, "--shard");
  }
  auto set = [&](const char* name) {
    const char* v = env(name);
    return v && *v;
  };
  if (set("SLURM_ARRAY_TASK_ID") && set("SLURM_ARRAY_TASK_COUNT")) {
    // An array 1-3 or 0-10:2 has IDs that need not start at 0 or be consecutive.
    const int64_t id = env_int(env, "SLURM_ARRAY_TASK_ID");
    const int64_t min = set("SLURM_ARRAY_TASK_MIN") ? env_int(env, "SLURM_ARRAY_TASK_MIN") : 0;
    const int64_t step = set("SLURM_ARRAY_TASK_STEP") ? std::max<int64_t>(1, env_int(env, "SLURM_ARRAY_TASK_STEP")) : 1;
    if (id < min || (id - min) % step != 0)
      throw Error("SLURM_ARRAY_TASK_ID", std::to_string(id) + " is not in the array (min " + std::to_string(min) +
                                             ", step " + std::to_string(step) + ")");
    return checked({(id - min) / step, env_int(env, "SLURM_ARRAY_TASK_COUNT"), "SLURM_ARRAY_TASK_ID"},
                   "SLURM_ARRAY_TASK_ID");
  }
  for (const auto& [rank, size] : {std::pair{"RANK", "WORLD_SIZE"}, std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                   std::pair{"SLURM_PROCID", "SLURM_NTASKS"}})
    if (set(rank) && set(size)) return checked({env_int(env, rank), env_int(env, size), rank}, rank);
  return {};
}

std::vector<std::string> shard_items(std::vector<std::string> items, const Shard& shard) {
  std::sort(items.begin(), items.end());
  std::vector<std::string> mine;
  for (size_t j = 0; j < items.size(); ++j)
    if (int64_t(j % size_t(shard.count)) == shard.index) mine.push_back(items[j]);
  return mine;
}

std::filesystem::path shard_output(const std::filesystem::path& out, const Shard& shard) {
  if (!shard.active() || !out.has_extension()) return out;
  auto name = out.stem().string() + ".shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) +
              out.extension().string();
  return out.parent_path() / name;
}

}  // namespace tomopick
