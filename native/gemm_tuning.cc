#include "gemm_tuning.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>
#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#include <unistd.h>
#endif

#include "cpu_info.h"
#include "json_string.h"

namespace tc {

int gemm_candidates(Isa isa, const GemmImpl** out, int max) {
  const GemmImpl* all[4];
  int n = 0;
  switch (isa) {
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
    case Isa::Avx512: all[n++] = gemm_impl_avx512(); break;
    case Isa::Avx2:
      all[n++] = gemm_impl_avx2();
      all[n++] = gemm_impl_avx2_6x16();
      break;
#endif
    case Isa::Generic: all[n++] = gemm_impl_generic(); break;
    default: break;
  }
  for (int i = 0; i < n && i < max; ++i) out[i] = all[i];
  return n;
}

std::string gemm_tuning_path() {
  if (const char* p = std::getenv("TRADECRAFT_GEMM_TUNING_FILE")) return p;
#if defined(__unix__) || defined(__APPLE__)
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&gemm_tuning_path), &info) != 0 && info.dli_fname != nullptr) {
    const std::string lib = info.dli_fname;
    const size_t slash = lib.rfind('/');
    return (slash == std::string::npos ? std::string() : lib.substr(0, slash + 1)) + "gemm-tuning.txt";
  }
#endif
  return "";
}

namespace {

std::string tile_name(const GemmImpl& g) { return std::to_string(g.mr) + "x" + std::to_string(g.nr); }

const GemmImpl* candidate_by_tile(Isa isa, const std::string& tile) {
  const GemmImpl* c[4];
  const int n = gemm_candidates(isa, c, 4);
  for (int i = 0; i < n; ++i)
    if (tile_name(*c[i]) == tile) return c[i];
  return nullptr;
}

std::string cpu_signature() {
  const CpuInfo& cpu = cpu_info();
  return std::string(cpu.vendor) + " " + std::to_string(cpu.family) + " " + std::to_string(cpu.model);
}

struct TuningFile {
  std::string cpu, isa, tile, measured, order;
  long mc = 0, nc = 0;
};

bool read_tuning_file(const std::string& path, TuningFile* f) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    const std::string key = line.substr(0, sp), value = line.substr(sp + 1);
    if (key == "cpu") f->cpu = value;
    else if (key == "isa") f->isa = value;
    else if (key == "tile") f->tile = value;
    else if (key == "measured") f->measured = value;
    else if (key == "order") f->order = value;
    else if (key == "mc") f->mc = std::atol(value.c_str());
    else if (key == "nc") f->nc = std::atol(value.c_str());
  }
  return true;
}

void warn(const std::string& s) { std::fprintf(stderr, "tradecraft: %s\n", s.c_str()); }

// "jr-ir" or "ir-jr" (gemm_order_name); false for anything else.
bool parse_order(const std::string& s, GemmOrder* o) {
  if (s == gemm_order_name(GemmOrder::kJrIr)) *o = GemmOrder::kJrIr;
  else if (s == gemm_order_name(GemmOrder::kIrJr)) *o = GemmOrder::kIrJr;
  else return false;
  return true;
}

long env_long(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? 0 : std::atol(v);
}

GemmConfig make_config() {
  const Isa isa = cpu_isa();
  const GemmImpl* first = nullptr;
  gemm_candidates(isa, &first, 1);
  GemmConfig cfg{first, gemm_blocking_from_caches(*first), gemm_tuning_path(), "absent", ""};
  // A measured choice applies only to the CPU and instruction set it was measured on (a build
  // directory copied to another machine, or TRADECRAFT_ISA lowering the set, falls back).
  TuningFile f;
  if (!cfg.tuning_path.empty() && read_tuning_file(cfg.tuning_path, &f)) {
    const GemmImpl* g = candidate_by_tile(isa, f.tile);
    // Files measured before the loop order was measured have no order line: theirs was jr-ir.
    GemmOrder order = GemmOrder::kJrIr;
    if (f.cpu != cpu_signature() || f.isa != isa_name(isa)) {
      cfg.tuning_status = "for another CPU";
    } else if (g == nullptr || f.mc < g->mr || f.mc % g->mr != 0 || f.nc < g->nr || f.nc % g->nr != 0 ||
               (!f.order.empty() && !parse_order(f.order, &order))) {
      cfg.tuning_status = "invalid";
    } else {
      cfg.impl = g;
      cfg.blocking = gemm_blocking_from_caches(*g);
      cfg.blocking.mc = f.mc;
      cfg.blocking.nc = f.nc;
      cfg.blocking.order = order;
      cfg.blocking.source = "measured";
      cfg.tuning_status = "used";
      cfg.measured = f.measured;
    }
  }
  if (const char* t = std::getenv("TRADECRAFT_GEMM_TILE")) {
    const GemmImpl* g = candidate_by_tile(isa, t);
    if (g == nullptr) {
      const GemmImpl* c[4];
      const int n = gemm_candidates(isa, c, 4);
      std::string names;
      for (int i = 0; i < n; ++i) names += (i ? ", " : "") + tile_name(*c[i]);
      warn(std::string("TRADECRAFT_GEMM_TILE=") + t + " is not a register tile of the " + isa_name(isa) +
           " kernels (they are: " + names + "); using " + tile_name(*cfg.impl));
    } else if (g != cfg.impl) {
      cfg.impl = g;
      cfg.blocking = gemm_blocking_from_caches(*g);
      cfg.blocking.source = "env";
    }
  }
  const long mc = env_long("TRADECRAFT_GEMM_MC"), nc = env_long("TRADECRAFT_GEMM_NC");
  GemmBlocking& b = cfg.blocking;
  if (const char* o = std::getenv("TRADECRAFT_GEMM_ORDER")) {
    if (parse_order(o, &b.order)) b.source = "env";
    else
      warn(std::string("TRADECRAFT_GEMM_ORDER=") + o + " is not a loop order (they are: jr-ir, ir-jr); using " +
           gemm_order_name(b.order));
  }
  if (mc > 0) b.mc = (mc + b.mr - 1) / b.mr * b.mr, b.source = "env";
  if (nc > 0) b.nc = (nc + b.nr - 1) / b.nr * b.nr, b.source = "env";
  return cfg;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Problem {
  const char* name;
  bool ta, tb;
  long m, n, k;
  std::vector<float> a, b;
};

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

const GemmConfig& gemm_config() {
  static const GemmConfig cfg = make_config();
  return cfg;
}

// The least gain over the default configuration that makes tune_gemm pick another.
constexpr double kMinGain = 0.03;
// Rounds of the screen and of the head-to-head.
constexpr int kRounds = 5, kConfirmRounds = 7;

namespace {

struct Candidate {
  const GemmImpl* g;
  GemmBlocking bl;
  std::vector<std::vector<double>> times;  // per problem, per round: seconds per product
  bool identical = true;
  std::vector<double> gflops;  // per problem, from the median time
  double score = 0;            // geometric mean of gflops
};

void fill_random(std::vector<Problem>& problems) {
  unsigned state = 12345u;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return float(state >> 8) / float(1u << 24) - 0.5f;
  };
  for (Problem& p : problems) {
    p.a.resize(size_t(p.m * p.k));
    p.b.resize(size_t(p.k * p.n));
    for (float& x : p.a) x = next();
    for (float& x : p.b) x = next();
  }
}

void run_product(const Candidate& c, const Problem& p, float* out) {
  sgemm_serial_with(*c.g, c.bl, p.ta, p.tb, p.m, p.n, p.k, 1.0f, p.a.data(), p.ta ? p.m : p.k, p.b.data(),
                    p.tb ? p.k : p.n, 0.0f, out, p.n);
}

// Rounds alternate the candidates, so a busy spell on the machine hits them all alike; each
// figure is the median over rounds of CPU time per product. The first round also compares each
// candidate's bits with `ref` (the default's products).
void measure(const std::vector<Candidate*>& list, const std::vector<Problem>& problems,
             const std::vector<std::vector<float>>& ref, int rounds, double per_measure) {
  std::vector<std::vector<float>> out(problems.size());
  for (size_t i = 0; i < problems.size(); ++i) out[i].assign(ref[i].size(), 0.0f);
  for (int r = 0; r < rounds; ++r) {
    for (Candidate* c : list) {
      for (size_t i = 0; i < problems.size(); ++i) {
        run_product(*c, problems[i], out[i].data());
        if (r == 0 && std::memcmp(out[i].data(), ref[i].data(), out[i].size() * sizeof(float)) != 0)
          c->identical = false;
        long reps = 0;
        const double t0 = thread_cpu_seconds();
        double t1 = t0;
        do {
          run_product(*c, problems[i], out[i].data());
          ++reps;
          t1 = thread_cpu_seconds();
        } while (t1 - t0 < per_measure);
        c->times[i].push_back((t1 - t0) / double(reps));
      }
    }
  }
  for (Candidate* c : list) {
    double log_sum = 0;
    c->gflops.clear();
    for (size_t i = 0; i < problems.size(); ++i) {
      const Problem& p = problems[i];
      c->gflops.push_back(2.0 * double(p.m) * double(p.n) * double(p.k) / median_of(c->times[i]) / 1e9);
      log_sum += std::log(c->gflops.back());
    }
    c->score = std::exp(log_sum / double(problems.size()));
  }
}

// One stage of the tuning: `seconds` in all, two thirds screening every candidate, the rest a
// head-to-head of the screen's winner against the default. With several candidates one of them
// beats the default by the margin by chance alone now and then, and that is no reason to move:
// candidates within a few percent of each other differ by the noise of the measurement, so the
// default is left only for a clear gain, confirmed, and a re-run does not flip between equals.
struct Stage {
  std::vector<Candidate> cands;
  std::vector<Problem> problems;
  long fallback = -1, best = -1;           // indices into cands
  std::optional<double> confirmed_gain;    // set when the head-to-head ran
};

void run_stage(Stage& st, double seconds) {
  std::vector<std::vector<float>> ref(st.problems.size());
  const Candidate& def = st.cands[size_t(st.fallback)];
  for (size_t i = 0; i < st.problems.size(); ++i) {
    const Problem& p = st.problems[i];
    ref[i].assign(size_t(p.m * p.n), 0.0f);
    run_product(def, p, ref[i].data());
  }
  std::vector<Candidate*> all;
  for (Candidate& c : st.cands) all.push_back(&c);
  measure(all, st.problems, ref, kRounds, seconds * 2 / 3 / double(kRounds * st.cands.size() * st.problems.size()));
  Candidate* best = nullptr;
  for (Candidate& c : st.cands)
    if (c.identical && (best == nullptr || c.score > best->score)) best = &c;
  Candidate* fallback = &st.cands[size_t(st.fallback)];
  if (best != nullptr && best != fallback && best->score >= fallback->score * (1.0 + kMinGain)) {
    Candidate a = *best, d = *fallback;
    for (Candidate* c : {&a, &d}) c->times.assign(st.problems.size(), {});
    measure({&a, &d}, st.problems, ref, kConfirmRounds, seconds / 3 / double(2 * kConfirmRounds * st.problems.size()));
    st.confirmed_gain = a.score / d.score - 1.0;
    if (*st.confirmed_gain < kMinGain) best = fallback;
  } else {
    best = fallback;
  }
  st.best = long(best - st.cands.data());
}

long round_down(long x, long to) { return x / to * to; }

}  // namespace

std::string tune_gemm(double seconds, bool write) {
  const Isa isa = cpu_isa();
  const GemmImpl* tiles[4];
  const int ntiles = gemm_candidates(isa, tiles, 4);
  // Three quarters of the time choose the tile, MC and loop order; the rest, NC for that choice.
  const double tile_seconds = seconds * 3 / 4, nc_seconds = seconds - tile_seconds;
  // The shapes training spends its GEMM time on: a large square product, a Linear layer's
  // forward at batch 64 (x @ W^T) and its weight gradient (dY^T @ x).
  Stage tile_stage;
  tile_stage.problems = {{"512x512x512", false, false, 512, 512, 512, {}, {}},
                         {"64x256x784 (x @ W^T)", false, true, 64, 256, 784, {}, {}},
                         {"256x784x64 (dY^T @ x)", true, false, 256, 784, 64, {}, {}}};
  fill_random(tile_stage.problems);
  std::vector<Candidate>& cands = tile_stage.cands;
  const long l2 = cpu_info().l2;
  for (int t = 0; t < ntiles; ++t) {
    const GemmBlocking base = gemm_blocking_from_caches(*tiles[t]);
    std::vector<long> mcs;
    for (long mc : {base.mc / 2, base.mc, base.mc * 2}) {
      mc = std::max<long>(4L * base.mr, mc / base.mr * base.mr);
      // An A block larger than L2 cannot be what the cache sizes call for.
      if (l2 > 0 && mc * base.kc * long(sizeof(float)) > l2) continue;
      if (std::find(mcs.begin(), mcs.end(), mc) == mcs.end()) mcs.push_back(mc);
    }
    for (long mc : mcs) {
      for (GemmOrder order : {GemmOrder::kJrIr, GemmOrder::kIrJr}) {
        Candidate c{tiles[t], base, std::vector<std::vector<double>>(tile_stage.problems.size()), true, {}, 0};
        c.bl.mc = mc;
        c.bl.order = order;
        c.bl.source = "measured";
        // The default: the first tile, MC from the caches, jr-ir.
        if (t == 0 && mc == base.mc && order == base.order) tile_stage.fallback = long(cands.size());
        cands.push_back(c);
      }
    }
  }
  if (tile_stage.fallback >= 0) run_stage(tile_stage, tile_seconds);
  const Candidate* best = tile_stage.best >= 0 ? &cands[size_t(tile_stage.best)] : nullptr;

  // NC, the columns of B packed as one block (kept in L3), for the chosen tile, MC and order. It
  // matters only for products wider than it, so the product is twice as wide as the cache-sized
  // NC (at least 2048 columns), with four blocks of A's rows reading each packed block of B and
  // one depth block (K = KC). Candidates: a quarter, half and all of the cache-sized NC, and the
  // whole width (no column blocking at all).
  Stage nc_stage;
  if (best != nullptr) {
    // (A built-in NC need not be a whole number of panels; the driver handles that, the stage rounds it.)
    const long nr = best->bl.nr, nc0 = std::max<long>(4L * nr, round_down(best->bl.nc, nr));
    const long wide = std::max<long>(round_down(2 * nc0, nr), (2048 + nr - 1) / nr * nr);
    const long m = 4 * best->bl.mc, k = best->bl.kc;
    nc_stage.problems = {{"", false, false, m, wide, k, {}, {}}};
    fill_random(nc_stage.problems);
    std::vector<long> ncs;
    for (long nc : {nc0 / 4, nc0 / 2, nc0, wide}) {
      nc = std::max<long>(4L * nr, round_down(nc, nr));
      if (std::find(ncs.begin(), ncs.end(), nc) == ncs.end()) ncs.push_back(nc);
    }
    for (long nc : ncs) {
      Candidate c{best->g, best->bl, std::vector<std::vector<double>>(1), true, {}, 0};
      c.bl.nc = nc;
      if (nc == nc0) nc_stage.fallback = long(nc_stage.cands.size());
      nc_stage.cands.push_back(c);
    }
    run_stage(nc_stage, nc_seconds);
  }
  const long chosen_nc = nc_stage.best >= 0 ? nc_stage.cands[size_t(nc_stage.best)].bl.nc : 0;
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  const std::string path = gemm_tuning_path();
  std::string written_error;
  bool written = false;
  if (write && best != nullptr) {
    if (path.empty()) {
      written_error = "no place for the tuning file (the addon's directory is unknown)";
    } else {
      // Written beside and renamed over: a reader never sees half a file.
      const std::string tmp = path + ".tmp." + std::to_string(long(getpid()));
      {
        std::ofstream f(tmp, std::ios::trunc);
        f << "# GEMM register tile and blocking measured on this CPU by tradecraft (tune-gemm); delete the file to\n"
             "# fall back to the cache sizes. Results do not depend on it, only speed.\n"
          << "cpu " << cpu_signature() << "\nisa " << isa_name(isa) << "\ntile " << tile_name(*best->g)
          << "\nmc " << best->bl.mc << "\nnc " << chosen_nc << "\norder " << gemm_order_name(best->bl.order)
          << "\nscore " << best->score << "\nmeasured " << stamp
          << "\n";
        f.close();
        if (!f) written_error = "could not write " + tmp;
      }
      if (written_error.empty() && std::rename(tmp.c_str(), path.c_str()) != 0) {
        written_error = "could not rename " + tmp + " to " + path + ": " + std::strerror(errno);
      }
      if (!written_error.empty()) std::remove(tmp.c_str());
      written = written_error.empty();
    }
  }
  std::ostringstream js;
  js.precision(4);
  auto gain_json = [&js](const std::optional<double>& g) {
    if (g) js << *g;
    else js << "null";
  };
  js << "{\"isa\":\"" << isa_name(isa) << "\",\"cpu\":" << json_string(cpu_signature()) << ",\"seconds\":" << seconds
     << ",\"rounds\":" << kRounds << ",\"problems\":[";
  for (size_t i = 0; i < tile_stage.problems.size(); ++i) js << (i ? "," : "") << "\"" << tile_stage.problems[i].name << "\"";
  js << "],\"candidates\":[";
  for (size_t ci = 0; ci < cands.size(); ++ci) {
    const Candidate& c = cands[ci];
    js << (ci ? "," : "") << "{\"tile\":\"" << tile_name(*c.g) << "\",\"mc\":" << c.bl.mc << ",\"kc\":" << c.bl.kc
       << ",\"nc\":" << c.bl.nc << ",\"order\":\"" << gemm_order_name(c.bl.order) << "\""
       << ",\"identical\":" << (c.identical ? "true" : "false") << ",\"score\":" << c.score
       << ",\"gflops\":[";
    for (size_t i = 0; i < c.gflops.size(); ++i) js << (i ? "," : "") << c.gflops[i];
    js << "]}";
  }
  js << "],\"minGain\":" << kMinGain << ",\"confirmedGain\":";
  gain_json(tile_stage.confirmed_gain);
  js << ",\"nc\":{\"problem\":";
  if (nc_stage.problems.empty()) js << "null";
  else js << "\"" << nc_stage.problems[0].m << "x" << nc_stage.problems[0].n << "x" << nc_stage.problems[0].k << "\"";
  js << ",\"candidates\":[";
  for (size_t ci = 0; ci < nc_stage.cands.size(); ++ci) {
    const Candidate& c = nc_stage.cands[ci];
    js << (ci ? "," : "") << "{\"nc\":" << c.bl.nc << ",\"identical\":" << (c.identical ? "true" : "false")
       << ",\"gflops\":" << c.score << "}";
  }
  js << "],\"default\":" << nc_stage.fallback << ",\"best\":" << nc_stage.best << ",\"confirmedGain\":";
  gain_json(nc_stage.confirmed_gain);
  js << "}";
  js << ",\"default\":" << tile_stage.fallback << ",\"best\":" << tile_stage.best << ",\"path\":" << json_string(path)
     << ",\"written\":" << (written ? "true" : "false");
  if (!written_error.empty()) js << ",\"writeError\":" << json_string(written_error);
  js << ",\"measured\":\"" << stamp << "\"}";
  return js.str();
}

}  // namespace tc
