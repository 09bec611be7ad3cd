// Pick files: copick JSON, CSV, RELION STAR, BYU motor CSVs, and the extension dispatcher.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <random>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/io/picks.h"

using namespace tomopick;

namespace {

void write_text(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Runs f, which must throw an Error whose message contains every one of `parts`.
void expect_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-Error: " << e.what();
    return;
  }
  ADD_FAILURE() << "did not throw";
}

// Doubles that stress printing: many digits, tiny, huge, negative, integral.
std::vector<double> awkward_doubles(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> v = {0.1, 1.0 / 3.0, 6564.518, -0.0, 1e-300, 5e-324, 1.7976931348623157e308, 123456789.0,
                           2.0 / 3.0 * 1e20, 10.012444};
  while (v.size() < n) v.push_back(u(rng) * std::pow(10.0, double(rng() % 12)));
  return v;
}

PickSet random_set(const std::string& run, const std::string& object, size_t n, uint32_t seed) {
  PickSet s;
  s.run = run;
  s.object = object;
  s.user_id = "alice";
  s.session_id = "7";
  s.voxel_spacing = 10.012444;
  auto d = awkward_doubles(n * 4 + 16, seed);
  for (size_t i = 0; i < n; ++i) {
    Pick p;
    p.x = d[4 * i];
    p.y = d[4 * i + 1];
    p.z = d[4 * i + 2];
    p.score = d[4 * i + 3];
    p.instance_id = int64_t(i) * 1000000007LL - 3;
    for (size_t k = 0; k < 16; ++k) p.transformation[k] = d[(i * 7 + k) % d.size()];
    s.points.push_back(p);
  }
  return s;
}

void expect_bit_exact(const PickSet& a, const PickSet& b, bool with_transform) {
  ASSERT_EQ(a.points.size(), b.points.size());
  for (size_t i = 0; i < a.points.size(); ++i) {
    const Pick &p = a.points[i], &q = b.points[i];
    EXPECT_TRUE(same_bits(p.x, q.x)) << i << ": " << p.x << " vs " << q.x;
    EXPECT_TRUE(same_bits(p.y, q.y)) << i;
    EXPECT_TRUE(same_bits(p.z, q.z)) << i;
    EXPECT_TRUE(same_bits(p.score, q.score)) << i;
    if (with_transform) {
      EXPECT_EQ(p.instance_id, q.instance_id) << i;
      for (size_t k = 0; k < 16; ++k) EXPECT_TRUE(same_bits(p.transformation[k], q.transformation[k])) << i << "," << k;
    }
  }
}

}  // namespace

// ---- helpers ------------------------------------------------------------------------------------------

TEST(PickSets, GroupingMergesSameRunAndObjectAndSorts) {
  PickSet a{"ribosome", "TS_2", "u", "1", 10, {Pick{1, 2, 3}}};
  PickSet b{"apo", "TS_2", "u", "1", 10, {Pick{4, 5, 6}}};
  PickSet c{"ribosome", "TS_1", "u", "1", 10, {}};
  PickSet d{"ribosome", "TS_2", "v", "2", 12, {Pick{7, 8, 9}, Pick{10, 11, 12}}};
  auto g = group_pick_sets({a, b, c, d});
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].run, "TS_1");  // empty sets are kept
  EXPECT_TRUE(g[0].points.empty());
  EXPECT_EQ(g[1].object, "apo");
  EXPECT_EQ(g[2].object, "ribosome");
  ASSERT_EQ(g[2].points.size(), 3u);
  EXPECT_EQ(g[2].points[2].x, 10);
  EXPECT_EQ(g[2].user_id, "u");  // first set's metadata wins
  EXPECT_EQ(count_picks(g), 4u);
  auto by = count_picks_by_object(g);
  EXPECT_EQ(by["ribosome"], 3u);
  EXPECT_EQ(by["apo"], 1u);
  ASSERT_NE(find_pick_set(g, "TS_2", "apo"), nullptr);
  EXPECT_EQ(find_pick_set(g, "TS_2", "apo")->points[0].z, 6);
  EXPECT_EQ(find_pick_set(g, "TS_3", "apo"), nullptr);
}

// ---- copick JSON --------------------------------------------------------------------------------------

TEST(Copick, RoundTripIsBitExact) {
  test::TempDir d;
  const PickSet s = random_set("TS_6_4", "beta-galactosidase", 200, 11);
  write_copick_json(d / "sub/picks.json", s);
  const PickSet r = read_copick_json(d / "sub/picks.json");
  EXPECT_EQ(r.run, "TS_6_4");
  EXPECT_EQ(r.object, "beta-galactosidase");
  EXPECT_EQ(r.user_id, "alice");
  EXPECT_EQ(r.session_id, "7");
  EXPECT_TRUE(same_bits(r.voxel_spacing, 10.012444));
  expect_bit_exact(s, r, true);
  EXPECT_EQ(r, s);
  const std::string text = read_file(d / "sub/picks.json");
  EXPECT_NE(text.find("\"unit\": \"angstrom\""), std::string::npos);
  EXPECT_NE(text.find("\"trust_orientation\": true"), std::string::npos);
  EXPECT_NE(text.find("\"transformation_\""), std::string::npos);
}

TEST(Copick, EmptySetAndUnknownSpacingRoundTrip) {
  test::TempDir d;
  PickSet s;
  s.run = "r";
  s.object = "o";
  write_copick_json(d / "e.json", s);
  EXPECT_NE(read_file(d / "e.json").find("\"voxel_spacing\": null"), std::string::npos);
  const PickSet r = read_copick_json(d / "e.json");
  EXPECT_EQ(r, s);
}

TEST(Copick, ReadsHandWrittenFileWithDefaults) {
  test::TempDir d;
  write_text(d / "a.json", R"({
    "pickable_object_name": "ribosome", "user_id": "curation", "session_id": 0, "run_name": "TS_5_4",
    "voxel_spacing": null, "unit": "angstrom",
    "points": [
      {"location": {"x": 100.5, "y": -2, "z": 3e2}, "transformation_":
         [[0,1,0,5],[1,0,0,6],[0,0,-1,7],[0,0,0,1]], "instance_id": 4, "score": 0.25},
      {"location": {"x": 1, "y": 2, "z": 3}},
      {"location": {"x": 1, "y": 2, "z": 3}, "transformation_": null, "score": null, "instance_id": 2.0}
    ],
    "trust_orientation": true, "extra": {"ignored": [1, 2]}
  })");
  const PickSet s = read_copick_json(d / "a.json");
  EXPECT_EQ(s.object, "ribosome");
  EXPECT_EQ(s.user_id, "curation");
  EXPECT_EQ(s.session_id, "0");  // an integer session id is accepted
  EXPECT_EQ(s.run, "TS_5_4");
  EXPECT_EQ(s.voxel_spacing, 0.0);
  ASSERT_EQ(s.points.size(), 3u);
  EXPECT_EQ(s.points[0].x, 100.5);
  EXPECT_EQ(s.points[0].y, -2.0);
  EXPECT_EQ(s.points[0].z, 300.0);
  EXPECT_EQ(s.points[0].score, 0.25);
  EXPECT_EQ(s.points[0].instance_id, 4);
  EXPECT_EQ(s.points[0].transformation[1], 1.0);
  EXPECT_EQ(s.points[0].transformation[3], 5.0);
  EXPECT_EQ(s.points[0].transformation[10], -1.0);
  EXPECT_EQ(s.points[0].transformation[11], 7.0);
  EXPECT_EQ(s.points[1].score, 1.0);
  EXPECT_EQ(s.points[1].instance_id, 0);
  EXPECT_EQ(s.points[1].transformation, kIdentity4x4);
  EXPECT_EQ(s.points[2].transformation, kIdentity4x4);
  EXPECT_EQ(s.points[2].score, 1.0);
  EXPECT_EQ(s.points[2].instance_id, 2);

  write_text(d / "b.json", R"({"pickable_object_name": "x", "points": null})");
  const PickSet b = read_copick_json(d / "b.json");
  EXPECT_TRUE(b.points.empty());
  EXPECT_EQ(b.user_id, "tomopick");
  EXPECT_EQ(b.session_id, "0");
  write_text(d / "c.json", R"({"run_name": "r", "voxel_spacing": 7.84})");
  const PickSet c = read_copick_json(d / "c.json");
  EXPECT_TRUE(c.points.empty());
  EXPECT_EQ(c.voxel_spacing, 7.84);
}

TEST(Copick, TypeErrorsNameFileAndJsonPath) {
  test::TempDir d;
  auto bad = [&](const std::string& name, const std::string& body, std::initializer_list<std::string> parts) {
    write_text(d / name, body);
    std::vector<std::string> all(parts);
    all.push_back(name);
    try {
      read_copick_json(d / name);
      ADD_FAILURE() << name << " did not throw";
    } catch (const Error& e) {
      for (const auto& p : all) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << p << " | " << e.what();
    }
  };
  const std::string ok = R"({"location": {"x": 1, "y": 2, "z": 3}})";
  bad("x_string.json", R"({"points": [)" + ok + "," + ok + "," + ok + R"(, {"location": {"x": "1", "y": 2, "z": 3}}]})",
      {"points[3].location.x is not a number"});
  bad("loc_array.json", R"({"points": [{"location": [1, 2, 3]}]})", {"points[0].location is not an object"});
  bad("no_loc.json", R"({"points": [{"score": 1}]})", {"points[0].location is missing"});
  bad("no_z.json", R"({"points": [{"location": {"x": 1, "y": 2}}]})", {"points[0].location.z is missing"});
  bad("pts_obj.json", R"({"points": {"a": 1}})", {"points is not an array"});
  bad("pt_num.json", R"({"points": [5]})", {"points[0] is not an object"});
  bad("tf_3x3.json", R"({"points": [{"location": {"x": 1, "y": 2, "z": 3}, "transformation_": [[1,0,0],[0,1,0],[0,0,1]]}]})",
      {"points[0].transformation_ is not a 4x4 array"});
  bad("tf_row.json",
      R"({"points": [{"location": {"x": 1, "y": 2, "z": 3}, "transformation_": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0]]}]})",
      {"points[0].transformation_[3] is not an array of 4 numbers"});
  bad("tf_str.json",
      R"({"points": [{"location": {"x": 1, "y": 2, "z": 3}, "transformation_": [[1,0,0,0],[0,1,"a",0],[0,0,1,0],[0,0,0,1]]}]})",
      {"points[0].transformation_[1][2] is not a number"});
  bad("inst.json", R"({"points": [{"location": {"x": 1, "y": 2, "z": 3}, "instance_id": 1.5}]})",
      {"points[0].instance_id is not an integer"});
  bad("score.json", R"({"points": [{"location": {"x": 1, "y": 2, "z": 3}, "score": "high"}]})",
      {"points[0].score is not a number"});
  bad("name.json", R"({"pickable_object_name": 3})", {"pickable_object_name is not a string"});
  bad("spacing.json", R"({"voxel_spacing": "10"})", {"voxel_spacing is not a number"});
  bad("unit.json", R"({"unit": "nm"})", {"unit is 'nm'"});
  bad("top.json", R"([1, 2])", {"top level is not an object"});
  bad("malformed.json", "{\"points\": [\n  {\"location\": {\"x\": 1,}}\n]}", {"malformed JSON", "byte", "parse error", "line 2"});
  bad("empty.json", "", {"malformed JSON"});
  expect_error([&] { read_copick_json(d / "missing.json"); }, {"missing.json", "no such file"});
}

TEST(Copick, WriterRejectsNonFiniteValues) {
  test::TempDir d;
  PickSet s = random_set("r", "o", 3, 1);
  s.points[2].y = NAN;
  expect_error([&] { write_copick_json(d / "nan.json", s); }, {"nan.json", "points[2].location.y", "finite"});
  EXPECT_FALSE(fs::exists(d / "nan.json"));
}

TEST(Copick, PythonReadsTheSameBitsFromJsonAndCsv) {
  test::TempDir d;
  const PickSet s = random_set("TS_1", "ribosome", 60, 5);
  write_copick_json(d / "p.json", s);
  write_picks_csv(d / "p.csv", {s});
  std::string expected;
  char buf[200];
  for (const Pick& p : s.points) {
    std::snprintf(buf, sizeof buf, "%a %a %a %a\n", p.x, p.y, p.z, p.score);
    expected += buf;
  }
  write_text(d / "expected.txt", expected);
  auto r = test::run_python("picks_reference.py", "check " + test::shell_quote((d / "p.json").string()) + " " +
                                                      test::shell_quote((d / "p.csv").string()) + " " +
                                                      test::shell_quote((d / "expected.txt").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ok 60"), std::string::npos) << r.output;
}

// ---- CSV ----------------------------------------------------------------------------------------------

TEST(Csv, RoundTripIsBitExactAndKeepsOrder) {
  test::TempDir d;
  std::vector<PickSet> sets = {random_set("TS_9", "ribosome", 40, 2), random_set("TS, \"quoted\"", "apo ferritin", 30, 3),
                               random_set("TS_1", "b", 0, 4)};
  for (auto& s : sets) s.voxel_spacing = 0, s.user_id = "tomopick", s.session_id = "0";
  write_picks_csv(d / "out.csv", sets);
  const std::string text = read_file(d / "out.csv");
  EXPECT_EQ(text.substr(0, text.find('\n')), "id,experiment,particle_type,x,y,z,score");
  EXPECT_NE(text.find("\n40,\"TS, \"\"quoted\"\"\",apo ferritin,"), std::string::npos);  // ids run on
  auto r = read_picks_csv(d / "out.csv");
  ASSERT_EQ(r.size(), 2u);  // sorted by run; the empty set leaves no rows
  EXPECT_EQ(r[0].run, "TS, \"quoted\"");
  EXPECT_EQ(r[0].object, "apo ferritin");
  EXPECT_EQ(r[1].run, "TS_9");
  expect_bit_exact(sets[1], r[0], false);
  expect_bit_exact(sets[0], r[1], false);
}

TEST(Csv, ReadsHandWrittenSubmissionWithBomCrlfQuotesAndBlankLines) {
  test::TempDir d;
  write_text(d / "sub.csv",
             "\xEF\xBB\xBFid,experiment,particle_type,x,y,z,score\r\n"
             "0,TS_6_4,apo-ferritin,1.5,2.5,3.5,0.9\r\n"
             "1,\"TS_6_4\",\"ribosome\", 10 ,20,30,0.1\r\n"
             "2,TS_5_4,apo-ferritin,+4,5e1,-6,1\r\n"
             "\r\n\r\n");
  auto r = read_picks_csv(d / "sub.csv");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].run, "TS_5_4");
  EXPECT_EQ(r[0].points[0].x, 4.0);
  EXPECT_EQ(r[0].points[0].y, 50.0);
  EXPECT_EQ(r[0].points[0].z, -6.0);
  EXPECT_EQ(r[1].run, "TS_6_4");
  EXPECT_EQ(r[1].object, "apo-ferritin");
  EXPECT_EQ(r[1].points[0].score, 0.9);
  EXPECT_EQ(r[2].object, "ribosome");
  EXPECT_EQ(r[2].points[0].x, 10.0);
  EXPECT_EQ(r[2].points[0].score, 0.1);
  EXPECT_EQ(count_picks(r), 3u);
}

TEST(Csv, ReadsPythonCsvModuleOutput) {
  test::TempDir d;
  auto w = test::run_python("picks_reference.py", "write-csv " + test::shell_quote((d / "py.csv").string()));
  ASSERT_EQ(w.exit_code, 0) << w.output;
  auto r = read_picks_csv(d / "py.csv");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].run, "TS, one");
  EXPECT_EQ(r[0].object, "say \"hi\"");
  EXPECT_EQ(r[0].points[0].z, -3.125);
  EXPECT_EQ(r[0].points[0].score, 0.5);
  EXPECT_EQ(r[1].run, "TS_2");
  EXPECT_EQ(r[1].object, "two\nlines");
  EXPECT_EQ(r[1].points[0].x, 1000.0);
}

TEST(Csv, XyzOnlyTakesRunAndObjectFromOptionsOrFileStem) {
  test::TempDir d;
  write_text(d / "tomo3_picks.csv", "x_A,y_A,z_A\n1,2,3\n4,5,6\n");
  auto a = read_picks_csv(d / "tomo3_picks.csv");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].run, "tomo3_picks");
  EXPECT_EQ(a[0].object, "particle");
  EXPECT_EQ(a[0].points[1].y, 5.0);
  CsvReadOptions o;
  o.run = "tomo3";
  o.object = "ribosome";
  o.voxel_spacing = 31.36;
  auto b = read_picks_csv(d / "tomo3_picks.csv", o);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].run, "tomo3");
  EXPECT_EQ(b[0].object, "ribosome");
  EXPECT_EQ(b[0].voxel_spacing, 31.36);
  write_text(d / "FiveParticlesDataTS_1_2.csv", "x,y,z,Class\n1,2,3,4\n");
  auto c = read_picks_csv(d / "FiveParticlesDataTS_1_2.csv");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].run, "TS_1_2");
  EXPECT_EQ(c[0].object, "virus-like-particle");
}

TEST(Csv, ClassColumnUsesTheClassMap) {
  test::TempDir d;
  write_text(d / "c.csv", "x,y,z,class\n1,1,1,0\n2,2,2,3\n3,3,3,3\n4,4,4,membrane\n");
  auto r = read_picks_csv(d / "c.csv");
  auto n = count_picks_by_object(r);
  EXPECT_EQ(n["apo-ferritin"], 1u);
  EXPECT_EQ(n["ribosome"], 2u);
  EXPECT_EQ(n["membrane"], 1u);  // a name in the class column is taken as is
  CsvReadOptions o;
  o.class_names = {{0, "zero"}, {3, "three"}};
  auto r2 = read_picks_csv(d / "c.csv", o);
  EXPECT_EQ(count_picks_by_object(r2)["three"], 2u);
  write_text(d / "bad_class.csv", "x,y,z,Class\n1,1,1,0\n2,2,2,9\n");
  expect_error([&] { read_picks_csv(d / "bad_class.csv"); },
               {"bad_class.csv", "line 3", "column Class", "class 9 has no name", "0 apo-ferritin"});
}

TEST(Csv, ErrorsNameFileLineAndColumn) {
  test::TempDir d;
  std::string body = "x,y,z\n";
  for (int i = 0; i < 15; ++i) body += "1,2,3\n";
  // Each bad file, and what its error must say (besides its name).
  const std::vector<std::pair<std::string, std::pair<std::string, std::vector<std::string>>>> cases = {
      {"nan.csv", {body + "1,2,abc\n", {"line 17: column z: 'abc' is not a number"}}},
      {"inf.csv", {"x,y,z\n1,2,inf\n", {"line 2: column z", "not a finite number"}}},
      {"count.csv", {"x,y,z\n1,2,3\n1,2\n", {"line 3", "expected 3 columns", "found 2"}}},
      {"noxyz.csv", {"a,b,c\n1,2,3\n", {"no x, y, z columns", "a,b,c"}}},
      {"empty.csv", {"", {"empty file"}}},
      {"blank.csv", {"\n\r\n  \n", {"empty file"}}},
      {"quote.csv", {"x,y,z\n1,2,3\n1,\"2,3\n4,5,6\n", {"line 3", "unterminated quoted field"}}},
      {"after.csv", {"x,y,z\n1,\"2\"x,3\n", {"line 2", "after a closing quote"}}},
      {"dup.csv", {"x,x_A,y,z\n1,1,2,3\n", {"'x' and 'x_A'"}}},
      {"emptyrun.csv", {"experiment,particle_type,x,y,z\n,ribo,1,2,3\n", {"line 2: column experiment: is empty"}}},
      {"inst.csv", {"x,y,z,instance_id\n1,2,3,1.5\n", {"line 2: column instance_id", "not an integer"}}},
  };
  for (const auto& [name, file] : cases) {
    write_text(d / name, file.first);
    const auto msg = test::error_message([&] { read_picks_csv(d / name); });
    EXPECT_NE(msg.find(name), std::string::npos) << msg;
    for (const auto& part : file.second) EXPECT_NE(msg.find(part), std::string::npos) << name << ": " << msg;
  }
  expect_error([&] { read_picks_csv(d / "missing.csv"); }, {"missing.csv", "no such file"});
  std::vector<PickSet> nan_set = {random_set("r", "o", 2, 9)};
  nan_set[0].points[1].x = INFINITY;
  expect_error([&] { write_picks_csv(d / "w.csv", nan_set); }, {"w.csv", "pick 1", "finite"});
}

TEST(Csv, RealEmpiarRibosomePicks) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP() << "no shared data";
  CsvReadOptions o;
  o.run = "tomo9";
  o.object = "ribosome";
  auto r = read_picks_csv(data / "empiar-11658/tomo9_ribosome.csv", o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].run, "tomo9");
  EXPECT_EQ(r[0].object, "ribosome");
  ASSERT_EQ(r[0].points.size(), 55u);
  EXPECT_EQ(r[0].points[0].x, 6564.518);
  EXPECT_EQ(r[0].points[0].y, 333.843);
  EXPECT_EQ(r[0].points[0].z, 594.560);
  EXPECT_EQ(r[0].points[0].score, 1.0);
  auto s = read_picks(data / "empiar-11658/tomo9_ribosome.csv");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].run, "tomo9_ribosome");  // the file stem
}

TEST(Csv, RealCziiGroundTruthClassCounts) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP() << "no shared data";
  auto r = read_picks_csv(data / "czii-fragments/picks/FiveParticlesDataTS_6_4.csv");
  ASSERT_EQ(r.size(), 5u);
  for (const auto& s : r) EXPECT_EQ(s.run, "TS_6_4");
  // counted with: awk -F, 'NR>1{c[$4]++} END{for(k in c) print k, c[k]}'
  auto n = count_picks_by_object(r);
  EXPECT_EQ(n["apo-ferritin"], 58u);
  EXPECT_EQ(n["thyroglobulin"], 30u);
  EXPECT_EQ(n["beta-galactosidase"], 12u);
  EXPECT_EQ(n["ribosome"], 74u);
  EXPECT_EQ(n["virus-like-particle"], 10u);
  EXPECT_EQ(count_picks(r), 184u);
  const PickSet* bg = find_pick_set(r, "TS_6_4", "beta-galactosidase");
  ASSERT_NE(bg, nullptr);
  EXPECT_EQ(bg->points[0].x, 2151.626);  // first data row: 2151.626,4674.959,1189.35,2
  EXPECT_EQ(bg->points[0].y, 4674.959);
  EXPECT_EQ(bg->points[0].z, 1189.35);
  // All seven runs through the dispatcher: 130+131+184+129+205+216+187 rows.
  std::vector<PickSet> all;
  for (auto& e : fs::directory_iterator(data / "czii-fragments/picks")) {
    auto v = read_picks(e.path());
    all.insert(all.end(), v.begin(), v.end());
  }
  all = group_pick_sets(all);
  EXPECT_EQ(count_picks(all), 1182u);
  EXPECT_EQ(all.size(), 35u);  // 7 runs x 5 objects
  EXPECT_EQ(all.front().run, "TS_5_4");
}

// ---- RELION STAR --------------------------------------------------------------------------------------

TEST(Star, CentredCoordinatesUseHalfTheTomogramSize) {
  // RELION 5: decentred pixel = centred Å / pixel size + size / 2 (tomogram_set.cpp: w0/2.0).
  test::TempDir d;
  write_text(d / "odd.star",
             "data_particles\nloop_\n_rlnTomoName #1\n_rlnCenteredCoordinateXAngst #2\n"
             "_rlnCenteredCoordinateYAngst #3\n_rlnCenteredCoordinateZAngst #4\n"
             "t 0 -5 1\n");
  StarOptions o;
  o.tomograms["t"] = {5, 4, 3, 2.0};  // nx=5, ny=4, nz=3 voxels of 2 Å
  auto r = read_picks_star(d / "odd.star", o);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].points.size(), 1u);
  EXPECT_DOUBLE_EQ(r[0].points[0].x, 5.0);  // centre of a 5-voxel axis: voxel 2.5 (not 2)
  EXPECT_DOUBLE_EQ(r[0].points[0].y, -1.0); // -5 + 4*2/2
  EXPECT_DOUBLE_EQ(r[0].points[0].z, 4.0);  // 1 + 3*2/2
  EXPECT_EQ(r[0].voxel_spacing, 2.0);
  EXPECT_EQ(r[0].object, "particle");
}

TEST(Star, ReadsRelion5FileWithSeveralBlocks) {
  test::TempDir d;
  write_text(d / "particles.star", R"(
# version 50001

data_general

_rlnTomoSubTomosAre2DStacks                       1

# version 50001

data_optics

loop_
_rlnOpticsGroup #1
_rlnOpticsGroupName #2
_rlnTomoTiltSeriesPixelSize #3
1 opticsGroup1 1.35

# version 50001

data_particles

loop_
_rlnTomoName #1
_rlnTomoParticleId #2
_rlnCenteredCoordinateXAngst #3
_rlnCenteredCoordinateYAngst #4
_rlnCenteredCoordinateZAngst #5
_rlnClassNumber #6
_rlnOpticsGroup #7
TS_6_4  1   0.000000   0.000000   0.000000  1  1
TS_6_4  2  -3153.780 10.012 -921.104  3  1   # a comment after a row
'TS 7'  3  1.5  2.5  3.5  1  1

)");
  StarOptions o;
  o.tomograms["TS_6_4"] = {630, 630, 184, 10.012};
  o.tomograms["TS 7"] = {100, 200, 50, 2.0};
  o.class_names = {{1, "apo-ferritin"}};
  auto r = read_picks_star(d / "particles.star", o);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].run, "TS 7");
  EXPECT_EQ(r[0].object, "apo-ferritin");
  EXPECT_DOUBLE_EQ(r[0].points[0].x, 101.5);
  EXPECT_DOUBLE_EQ(r[0].points[0].y, 202.5);
  EXPECT_DOUBLE_EQ(r[0].points[0].z, 53.5);
  const PickSet* a = find_pick_set(r, "TS_6_4", "apo-ferritin");
  ASSERT_NE(a, nullptr);
  // centre = (630*10.012/2, 630*10.012/2, 184*10.012/2) = (3153.78, 3153.78, 921.104) Å
  EXPECT_NEAR(a->points[0].x, 3153.78, 1e-9);
  EXPECT_NEAR(a->points[0].y, 3153.78, 1e-9);
  EXPECT_NEAR(a->points[0].z, 921.104, 1e-9);
  EXPECT_EQ(a->voxel_spacing, 10.012);
  const PickSet* c = find_pick_set(r, "TS_6_4", "class3");  // no name for class 3, no fallback object
  ASSERT_NE(c, nullptr);
  EXPECT_NEAR(c->points[0].x, 0.0, 1e-9);
  EXPECT_NEAR(c->points[0].y, 3163.792, 1e-9);
  EXPECT_NEAR(c->points[0].z, 0.0, 1e-9);
  o.object = "ribosome";
  auto r2 = read_picks_star(d / "particles.star", o);
  EXPECT_NE(find_pick_set(r2, "TS_6_4", "ribosome"), nullptr);  // fallback object beats "class3"
  EXPECT_NE(find_pick_set(r2, "TS_6_4", "apo-ferritin"), nullptr);
}

TEST(Star, RoundTripThroughCentredCoordinates) {
  test::TempDir d;
  std::vector<PickSet> sets = {random_set("TS_1", "ribosome", 20, 21), random_set("TS 2", "apo ferritin", 10, 22),
                               random_set("TS_1", "thyroglobulin", 0, 23)};
  for (auto& s : sets)
    for (auto& p : s.points) p.x = std::fmod(std::fabs(p.x), 6000), p.y = std::fmod(std::fabs(p.y), 6000),
                             p.z = std::fmod(std::fabs(p.z), 1800);
  StarOptions o;
  o.tomograms["TS_1"] = {630, 630, 184, 10.012444};
  o.tomograms["TS 2"] = {631, 629, 185, 7.84};
  write_picks_star(d / "out.star", sets, o);
  const std::string text = read_file(d / "out.star");
  EXPECT_NE(text.find("data_particles"), std::string::npos);
  EXPECT_NE(text.find("_rlnCenteredCoordinateXAngst"), std::string::npos);
  EXPECT_NE(text.find("\"TS 2\""), std::string::npos);
  auto r = read_picks_star(d / "out.star", o);
  ASSERT_EQ(r.size(), 2u);  // the empty set leaves no rows
  EXPECT_EQ(r[0].run, "TS 2");
  EXPECT_EQ(r[0].object, "apo ferritin");
  EXPECT_EQ(r[1].run, "TS_1");
  for (int k = 0; k < 2; ++k) {
    const PickSet& want = sets[k == 0 ? 1 : 0];
    ASSERT_EQ(r[size_t(k)].points.size(), want.points.size());
    for (size_t i = 0; i < want.points.size(); ++i) {
      EXPECT_NEAR(r[size_t(k)].points[i].x, want.points[i].x, 1e-9);
      EXPECT_NEAR(r[size_t(k)].points[i].y, want.points[i].y, 1e-9);
      EXPECT_NEAR(r[size_t(k)].points[i].z, want.points[i].z, 1e-9);
      EXPECT_TRUE(same_bits(r[size_t(k)].points[i].score, want.points[i].score));
    }
  }
}

TEST(Star, WrittenRowHasHandComputedCentredValues) {
  test::TempDir d;
  PickSet s;
  s.run = "t";
  s.object = "o";
  s.points.push_back(Pick{5.0, 0.0, 10.0, 0.5});
  StarOptions o;
  o.tomograms["t"] = {5, 4, 3, 2.0};  // centre (5, 4, 3) Å
  write_picks_star(d / "t.star", {s}, o);
  EXPECT_NE(read_file(d / "t.star").find("\nt 0 -4 7 o 0.5\n"), std::string::npos) << read_file(d / "t.star");
}

TEST(Star, WildcardGeometryAppliesToUnlistedRuns) {
  TomoGeometryMap m;
  m["a"] = {1, 1, 1, 1.0};
  EXPECT_EQ(find_tomo_geometry(m, "b"), nullptr);
  m[kAnyRun] = {5, 4, 3, 2.0};
  ASSERT_NE(find_tomo_geometry(m, "b"), nullptr);
  EXPECT_EQ(find_tomo_geometry(m, "b")->nx, 5);
  EXPECT_EQ(find_tomo_geometry(m, "a")->nx, 1);  // a run's own entry wins
  test::TempDir d;
  PickSet s;
  s.run = "t";
  s.object = "o";
  s.points.push_back(Pick{5.0, 0.0, 10.0, 0.5});
  StarOptions o;
  o.tomograms = m;
  write_picks_star(d / "t.star", {s}, o);
  EXPECT_NE(read_file(d / "t.star").find("\nt 0 -4 7 o 0.5\n"), std::string::npos);
  auto r = read_picks_star(d / "t.star", o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].points[0], s.points[0]);
}

TEST(Star, MissingTomogramGeometryIsAnErrorNamingTheRun) {
  test::TempDir d;
  write_text(d / "p.star", "data_particles\nloop_\n_rlnTomoName\n_rlnCenteredCoordinateXAngst\n"
                           "_rlnCenteredCoordinateYAngst\n_rlnCenteredCoordinateZAngst\nTS_99 1 2 3\n");
  expect_error([&] { read_picks_star(d / "p.star", {}); }, {"p.star", "line 7", "TS_99", "size"});
  PickSet s;
  s.run = "TS_42";
  s.points.push_back(Pick{});
  expect_error([&] { write_picks_star(d / "w.star", {s}, {}); }, {"w.star", "TS_42"});
  EXPECT_FALSE(fs::exists(d / "w.star"));
}

TEST(Star, OlderPixelCoordinates) {
  test::TempDir d;
  write_text(d / "old.star",
             "data_\nloop_\n_rlnMicrographName #1\n_rlnCoordinateX #2\n_rlnCoordinateY #3\n_rlnCoordinateZ #4\n"
             "tomos/tomo1.mrc 10 20 30\n");
  StarOptions o;
  o.pixel_spacing_A = 1.5;
  auto r = read_picks_star(d / "old.star", o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].run, "tomo1");  // from _rlnMicrographName
  EXPECT_EQ(r[0].points[0].x, 15.0);
  EXPECT_EQ(r[0].points[0].y, 30.0);
  EXPECT_EQ(r[0].points[0].z, 45.0);
  EXPECT_EQ(r[0].voxel_spacing, 1.5);
  o.tomograms["tomo1"] = {100, 100, 100, 4.0};  // the tomogram's own spacing wins
  EXPECT_EQ(read_picks_star(d / "old.star", o)[0].points[0].x, 40.0);
  expect_error([&] { read_picks_star(d / "old.star", {}); }, {"old.star", "line 7", "pixel size", "tomo1"});
}

TEST(Star, KeyValueBlockIsOneParticleAndObjectColumnIsRead) {
  test::TempDir d;
  write_text(d / "kv.star", "data_one\n_rlnTomoName  tX\n_rlnCenteredCoordinateXAngst 1\n"
                            "_rlnCenteredCoordinateYAngst 2\n_rlnCenteredCoordinateZAngst 3\n"
                            "_tomopickObject \"my object\"\n_tomopickScore 0.75\n");
  StarOptions o;
  o.tomograms["tX"] = {10, 10, 10, 1.0};
  auto r = read_picks_star(d / "kv.star", o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].object, "my object");
  EXPECT_EQ(r[0].points[0].score, 0.75);
  EXPECT_EQ(r[0].points[0].x, 6.0);
}

TEST(Star, ParseErrorsHaveLineNumbers) {
  test::TempDir d;
  StarOptions o;
  o.tomograms["t"] = {10, 10, 10, 1.0};
  const std::string head = "data_particles\nloop_\n_rlnTomoName\n_rlnCenteredCoordinateXAngst\n"
                           "_rlnCenteredCoordinateYAngst\n_rlnCenteredCoordinateZAngst\n";
  write_text(d / "count.star", head + "t 1 2 3\nt 1 2\n");
  expect_error([&] { read_picks_star(d / "count.star", o); }, {"count.star", "line 8", "expected 4 values", "found 3"});
  write_text(d / "num.star", head + "t 1 abc 3\n");
  expect_error([&] { read_picks_star(d / "num.star", o); },
               {"num.star", "line 7", "_rlnCenteredCoordinateYAngst", "'abc' is not a number"});
  write_text(d / "quote.star", head + "'t 1 2 3\n");
  expect_error([&] { read_picks_star(d / "quote.star", o); }, {"quote.star", "line 7", "unterminated quoted value"});
  write_text(d / "nocoord.star", "data_optics\nloop_\n_rlnOpticsGroup\n1\n");
  expect_error([&] { read_picks_star(d / "nocoord.star", o); }, {"nocoord.star", "no table with"});
  write_text(d / "stray.star", "data_x\nhello\n");
  expect_error([&] { read_picks_star(d / "stray.star", o); }, {"stray.star", "line 2", "unexpected 'hello'"});
  write_text(d / "kv.star", "data_x\n_rlnTomoName\n");
  expect_error([&] { read_picks_star(d / "kv.star", o); }, {"kv.star", "line 2", "expected one value after _rlnTomoName"});
  write_text(d / "cls.star", "data_particles\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n_rlnCoordinateZ\n"
                             "_rlnClassNumber\n1 2 3 x\n");
  StarOptions px;
  px.pixel_spacing_A = 1;
  expect_error([&] { read_picks_star(d / "cls.star", px); },
               {"cls.star", "line 7", "_rlnClassNumber", "not an integer"});
}

// ---- BYU flagellar motors -----------------------------------------------------------------------------

namespace {
const char* kByuHeader =
    "row_id,tomo_id,Motor axis 0,Motor axis 1,Motor axis 2,Array shape (axis 0),Array shape (axis 1),"
    "Array shape (axis 2),Voxel spacing,Number of motors\n";
}

TEST(Byu, LabelsWithSeveralMotorsAndNone) {
  test::TempDir d;
  write_text(d / "train_labels.csv", std::string(kByuHeader) +
                                         "0,tomo_b,-1,-1,-1,300,959,928,15.6,0\n"
                                         "1,tomo_a,100,200,300,500,924,956,13.1,2\n"
                                         "2,tomo_a,101.5,202,303,500,924,956,13.1,2\n"
                                         "3,tomo_c,10,20,30,800,928,960,19.7,1\n");
  auto labels = read_byu_labels(d / "train_labels.csv");
  ASSERT_EQ(labels.size(), 4u);
  EXPECT_FALSE(labels[0].has_motor());
  EXPECT_EQ(labels[0].shape_z, 300);
  EXPECT_EQ(labels[0].shape_x, 928);
  EXPECT_EQ(labels[1].z, 100.0);
  EXPECT_EQ(labels[1].x, 300.0);
  EXPECT_EQ(labels[1].motor_count, 2);
  EXPECT_EQ(labels[2].voxel_spacing, 13.1);

  TomoGeometryMap geo;
  auto sets = motor_labels_to_picks(labels, 0, &geo);
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[0].run, "tomo_a");
  EXPECT_EQ(sets[0].object, kMotorObject);
  EXPECT_EQ(sets[0].voxel_spacing, 13.1);
  ASSERT_EQ(sets[0].points.size(), 2u);
  EXPECT_DOUBLE_EQ(sets[0].points[0].x, 300 * 13.1);  // axis 2 = x
  EXPECT_DOUBLE_EQ(sets[0].points[0].y, 200 * 13.1);
  EXPECT_DOUBLE_EQ(sets[0].points[0].z, 100 * 13.1);  // axis 0 = z
  EXPECT_DOUBLE_EQ(sets[0].points[1].z, 101.5 * 13.1);
  EXPECT_EQ(sets[1].run, "tomo_b");
  EXPECT_TRUE(sets[1].points.empty());  // no motor, but the run is known
  EXPECT_EQ(sets[1].voxel_spacing, 15.6);
  EXPECT_EQ(sets[2].points.size(), 1u);
  EXPECT_EQ(geo["tomo_a"].nz, 500);
  EXPECT_EQ(geo["tomo_a"].nx, 956);
  EXPECT_EQ(geo["tomo_b"].spacing_A, 15.6);

  // Back to labels: voxel coordinates again, the -1 row for tomo_b, counts per tomogram.
  auto back = picks_to_motor_labels(sets, geo);
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[0].tomo_id, "tomo_a");
  EXPECT_NEAR(back[0].z, 100.0, 1e-9);
  EXPECT_NEAR(back[1].z, 101.5, 1e-9);
  EXPECT_EQ(back[0].motor_count, 2);
  EXPECT_EQ(back[2].tomo_id, "tomo_b");
  EXPECT_FALSE(back[2].has_motor());
  EXPECT_EQ(back[2].motor_count, 0);
  EXPECT_EQ(back[2].shape_y, 959);
  EXPECT_EQ(back[2].voxel_spacing, 15.6);
}

TEST(Byu, LabelsRoundTripExactly) {
  test::TempDir d;
  std::vector<MotorLabel> labels = {
      {"tomo_1", 12.25, 1.0 / 3.0, 700, 300, 959, 928, 15.6, 2, 1.0},
      {"tomo_1", 0, 0, 0, 300, 959, 928, 15.6, 2, 1.0},
      {"tomo,2", -1, -1, -1, 500, 924, 956, 13.1, 0, 1.0},
  };
  write_byu_labels(d / "l.csv", labels);
  const std::string text = read_file(d / "l.csv");
  EXPECT_EQ(text.substr(0, text.find('\n') + 1), kByuHeader);
  EXPECT_NE(text.find("\n2,\"tomo,2\",-1,-1,-1,500,924,956,13.1,0\n"), std::string::npos) << text;
  EXPECT_EQ(read_byu_labels(d / "l.csv"), labels);
  labels[0].shape_x = 0;
  expect_error([&] { write_byu_labels(d / "bad.csv", labels); }, {"bad.csv", "tomo_1", "array shape unknown"});
}

TEST(Byu, PicksRoundTripThroughDispatcher) {
  test::TempDir d;
  PickSet a;
  a.run = "tomo_x";
  a.object = kMotorObject;
  a.voxel_spacing = 16.1;
  a.points = {Pick{16.1 * 10, 16.1 * 20, 16.1 * 30}, Pick{161.0, 322.0, 483.5}};
  PickSet b;
  b.run = "tomo_y";
  b.object = kMotorObject;
  PickWriteOptions w;
  w.csv = CsvFlavour::byu_labels;
  w.star.tomograms["tomo_x"] = {400, 500, 600, 16.1};
  w.star.tomograms["tomo_y"] = {100, 200, 300, 9.0};
  write_picks(d / "labels.csv", {a, b}, w);
  auto r = read_picks(d / "labels.csv");  // detected as BYU labels by the header
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].run, "tomo_x");
  ASSERT_EQ(r[0].points.size(), 2u);
  EXPECT_NEAR(r[0].points[0].x, 16.1 * 10, 1e-9);
  EXPECT_NEAR(r[0].points[0].z, 16.1 * 30, 1e-9);
  EXPECT_NEAR(r[0].points[1].x, 161.0, 1e-9);
  EXPECT_NEAR(r[0].points[1].z, 483.5, 1e-9);
  EXPECT_EQ(r[1].run, "tomo_y");
  EXPECT_TRUE(r[1].points.empty());
  EXPECT_EQ(r[1].voxel_spacing, 9.0);
  auto labels = read_byu_labels(d / "labels.csv");
  EXPECT_EQ(labels[0].shape_z, 600);  // nz is axis 0
  EXPECT_EQ(labels[0].shape_x, 400);
  EXPECT_EQ(labels[2].motor_count, 0);
}

TEST(Byu, SubmissionNeedsSpacingAndKeepsBestMotor) {
  test::TempDir d;
  write_text(d / "submission.csv", "tomo_id,Motor axis 0,Motor axis 1,Motor axis 2\ntomo_003acc,-1,-1,-1\n"
                                   "tomo_00e047,169,546,603\n");
  auto labels = read_byu_submission(d / "submission.csv");
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_FALSE(labels[0].has_motor());
  EXPECT_EQ(labels[1].x, 603.0);
  EXPECT_EQ(labels[1].motor_count, 1);
  expect_error([&] { read_picks(d / "submission.csv"); }, {"submission.csv", "tomo_003acc", "voxel spacing unknown"});
  PickReadOptions o;
  o.voxel_spacing_A = 10.0;
  o.star.tomograms["tomo_00e047"] = {0, 0, 0, 15.6};
  auto r = read_picks(d / "submission.csv", o);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].points.empty());
  EXPECT_EQ(r[0].voxel_spacing, 10.0);
  EXPECT_DOUBLE_EQ(r[1].points[0].x, 603 * 15.6);
  EXPECT_DOUBLE_EQ(r[1].points[0].z, 169 * 15.6);

  PickSet s;
  s.run = "tomo_q";
  s.voxel_spacing = 2.0;
  s.points = {Pick{2, 4, 6, 0.3}, Pick{20, 40, 60, 0.9}, Pick{200, 400, 600, 0.5}};
  PickSet e;
  e.run = "tomo_e";
  PickWriteOptions w;
  w.csv = CsvFlavour::byu_submission;
  write_picks(d / "out.csv", {s, e}, w);
  EXPECT_EQ(read_file(d / "out.csv"),
            "tomo_id,Motor axis 0,Motor axis 1,Motor axis 2\ntomo_q,30,20,10\ntomo_e,-1,-1,-1\n");
  std::vector<MotorLabel> twice = {{"t", 1, 2, 3}, {"t", 4, 5, 6}};
  expect_error([&] { write_byu_submission(d / "twice.csv", twice); }, {"twice.csv", "'t' appears twice"});
}

TEST(Byu, Errors) {
  test::TempDir d;
  write_text(d / "partial.csv", std::string(kByuHeader) + "0,t,-1,5,-1,1,1,1,10,0\n");
  expect_error([&] { read_byu_labels(d / "partial.csv"); }, {"partial.csv", "line 2", "all -1"});
  write_text(d / "num.csv", std::string(kByuHeader) + "0,t,1,2,3,1,1,1,10,1\n1,t,1,x,3,1,1,1,10,1\n");
  expect_error([&] { read_byu_labels(d / "num.csv"); }, {"num.csv", "line 3: column Motor axis 1: 'x' is not a number"});
  write_text(d / "shape.csv", std::string(kByuHeader) + "0,t,1,2,3,1,1.5,1,10,1\n");
  expect_error([&] { read_byu_labels(d / "shape.csv"); }, {"shape.csv", "line 2: column Array shape (axis 1)"});
  write_text(d / "spacing.csv", std::string(kByuHeader) + "0,t,1,2,3,1,1,1,10,2\n1,t,4,5,6,1,1,1,11,2\n");
  expect_error([&] { read_picks(d / "spacing.csv"); }, {"spacing.csv", "tomogram 't'", "disagree on the voxel spacing"});
  write_text(d / "nottomo.csv", "Motor axis 0,Motor axis 1,Motor axis 2\n1,2,3\n");
  expect_error([&] { read_byu_submission(d / "nottomo.csv"); }, {"nottomo.csv", "not a BYU motor file"});
  std::vector<MotorLabel> neg = {{"t", 1, -2, 3}};
  expect_error([&] { write_byu_submission(d / "neg.csv", neg); }, {"neg.csv", "motor axis 1 is negative"});
  PickSet s;
  s.run = "nospacing";
  s.points.push_back(Pick{1, 2, 3});
  PickWriteOptions sub;
  sub.csv = CsvFlavour::byu_submission;
  expect_error([&] { write_picks(d / "ns.csv", {s}, sub); },
               {"ns.csv", "nospacing", "voxel spacing unknown"});
}

// ---- dispatch -----------------------------------------------------------------------------------------

TEST(PickDispatch, ChoosesFormatByExtensionAndHeader) {
  test::TempDir d;
  const PickSet s = random_set("TS_1", "ribosome", 5, 31);
  write_picks(d / "a.json", {s});
  auto j = read_picks(d / "a.json");
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0], s);
  write_picks(d / "B.CSV", {s});
  auto c = read_picks(d / "B.CSV");
  ASSERT_EQ(c.size(), 1u);
  expect_bit_exact(s, c[0], false);
  PickWriteOptions w;
  w.star.tomograms["TS_1"] = {10, 10, 10, 1.0};
  write_picks(d / "c.star", {s}, w);
  PickReadOptions r;
  r.star = w.star;
  auto st = read_picks(d / "c.star", r);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_NEAR(st[0].points[3].x, s.points[3].x, 1e-6 * std::max(1.0, std::fabs(s.points[3].x)));
}

TEST(PickDispatch, Errors) {
  test::TempDir d;
  write_text(d / "p.txt", "x,y,z\n");
  expect_error([&] { read_picks(d / "p.txt"); }, {"p.txt", "unknown pick file extension '.txt'", ".json", ".csv", ".star"});
  expect_error([&] { read_picks(d / "noext"); }, {"noext", "no file extension", ".star"});
  expect_error([&] { write_picks(d / "p.mrc", {}); }, {"p.mrc", "unknown pick file extension", ".json"});
  PickSet a, b;
  a.run = "r1";
  b.run = "r2";
  expect_error([&] { write_picks(d / "two.json", {a, b}); }, {"two.json", "2 pick sets", "copick project"});
  expect_error([&] { write_picks(d / "none.json", {}); }, {"none.json", "0 pick sets"});
}
