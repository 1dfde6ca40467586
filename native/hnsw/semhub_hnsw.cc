// semhub's binding of hnswlib (the header-only C++ library, as shipped in the hnswlib-node
// package), used by the index worker (src/index/graph.ts). Two things differ from hnswlib-node:
// - vectors cross as Float32Array views (a pointer and a length), where hnswlib-node reads a plain
//   JavaScript array one element at a time through N-API (about 30 us of a 120 us insert at 512
//   dimensions here), and search results are written into the caller's typed arrays;
// - the distance functions use the widest SIMD the CPU has, chosen at run time (AVX-512F, else
//   AVX2 with FMA, else hnswlib's own SSE code): hnswlib picks its SIMD at compile time, and a
//   portable build (no -march) gets SSE only, which was half of an insert's time.
// The graph, its file format and its algorithms are hnswlib's: files written by either binding
// load in the other.
#include <napi.h>
#include <immintrin.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "hnswlib/hnswlib.h"

namespace {

// ---- distances --------------------------------------------------------------------------------

// hnswlib's convention: the "inner product" distance is 1 - a.b; L2 is the squared distance.

__attribute__((target("avx512f"))) float Sum16(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float s = 0;
  for (float x : lanes) s += x;
  return s;
}

__attribute__((target("avx512f"))) float IpAvx512(const void* pa, const void* pb, const void* pd) {
  const float* a = static_cast<const float*>(pa);
  const float* b = static_cast<const float*>(pb);
  const size_t d = *static_cast<const size_t*>(pd);
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
  }
  for (; i + 16 <= d; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
  float sum = Sum16(_mm512_add_ps(s0, s1));
  for (; i < d; i++) sum += a[i] * b[i];
  return 1.0f - sum;
}

__attribute__((target("avx512f"))) float L2Avx512(const void* pa, const void* pb, const void* pd) {
  const float* a = static_cast<const float*>(pa);
  const float* b = static_cast<const float*>(pb);
  const size_t d = *static_cast<const size_t*>(pd);
  __m512 s0 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    const __m512 t = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    s0 = _mm512_fmadd_ps(t, t, s0);
  }
  float sum = Sum16(s0);
  for (; i < d; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return sum;
}

__attribute__((target("avx2,fma"))) float HorizontalSum(__m256 v) {
  const __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) float IpAvx2(const void* pa, const void* pb, const void* pd) {
  const float* a = static_cast<const float*>(pa);
  const float* b = static_cast<const float*>(pb);
  const size_t d = *static_cast<const size_t*>(pd);
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
  }
  for (; i + 8 <= d; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  float sum = HorizontalSum(_mm256_add_ps(s0, s1));
  for (; i < d; i++) sum += a[i] * b[i];
  return 1.0f - sum;
}

__attribute__((target("avx2,fma"))) float L2Avx2(const void* pa, const void* pb, const void* pd) {
  const float* a = static_cast<const float*>(pa);
  const float* b = static_cast<const float*>(pb);
  const size_t d = *static_cast<const size_t*>(pd);
  __m256 s0 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= d; i += 8) {
    const __m256 t = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    s0 = _mm256_fmadd_ps(t, t, s0);
  }
  float sum = HorizontalSum(s0);
  for (; i < d; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return sum;
}

enum class Simd { kAvx512, kAvx2, kBaseline };

Simd DetectSimd() {
  // SEMHUB_HNSW_SIMD=avx2|baseline caps the level (tests compare the levels on one machine)
  const char* cap = std::getenv("SEMHUB_HNSW_SIMD");
  const std::string want = cap ? cap : "";
  __builtin_cpu_init();
  if (want != "avx2" && want != "baseline" && __builtin_cpu_supports("avx512f")) return Simd::kAvx512;
  if (want != "baseline" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Simd::kAvx2;
  return Simd::kBaseline;
}

const Simd kSimd = DetectSimd();

const char* SimdName() {
  switch (kSimd) {
    case Simd::kAvx512: return "avx512";
    case Simd::kAvx2: return "avx2";
    default: return "baseline";
  }
}

// A hnswlib space whose distance is the SIMD function above for this CPU; the baseline is
// hnswlib's own space (its SSE code on x86-64, plain C++ elsewhere).
class Space : public hnswlib::SpaceInterface<float> {
 public:
  Space(bool l2, size_t dims) : dims_(dims) {
    if (l2) base_ = std::make_unique<hnswlib::L2Space>(dims);
    else base_ = std::make_unique<hnswlib::InnerProductSpace>(dims);
    fn_ = base_->get_dist_func();
    if (kSimd == Simd::kAvx512) fn_ = l2 ? L2Avx512 : IpAvx512;
    if (kSimd == Simd::kAvx2) fn_ = l2 ? L2Avx2 : IpAvx2;
  }
  size_t get_data_size() override { return dims_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return fn_; }
  void* get_dist_func_param() override { return fn_ == base_->get_dist_func() ? base_->get_dist_func_param() : &dims_; }

 private:
  size_t dims_;
  std::unique_ptr<hnswlib::SpaceInterface<float>> base_;
  hnswlib::DISTFUNC<float> fn_;
};

// ---- the index ---------------------------------------------------------------------------------

// Calls a JavaScript predicate per candidate label (filtered search).
class JsFilter : public hnswlib::BaseFilterFunctor {
 public:
  JsFilter(Napi::Env env, Napi::Function fn) : env_(env), fn_(fn) {}
  bool operator()(hnswlib::labeltype label) override {
    return fn_.Call({Napi::Number::New(env_, static_cast<double>(label))}).ToBoolean().Value();
  }

 private:
  Napi::Env env_;
  Napi::Function fn_;
};

/** A Float32Array argument's elements, checked to hold `count` floats from `offset`. */
const float* FloatsAt(const Napi::Value& v, size_t offset, size_t count, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a Float32Array");
  }
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (offset + count > a.ElementLength()) {
    throw Napi::RangeError::New(v.Env(), std::string(what) + " is too short: needs " + std::to_string(offset + count) +
                                             " floats, has " + std::to_string(a.ElementLength()));
  }
  return a.Data() + offset;
}

size_t SizeArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d != std::floor(d) || d > 9007199254740991.0) {
    throw Napi::RangeError::New(info.Env(), std::string(what) + " must be a non-negative integer");
  }
  return static_cast<size_t>(d);
}

class Index : public Napi::ObjectWrap<Index> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Index", {
      InstanceMethod("initIndex", &Index::InitIndex),
      InstanceMethod("readIndexSync", &Index::ReadIndex),
      InstanceMethod("writeIndexSync", &Index::WriteIndex),
      InstanceMethod("resizeIndex", &Index::ResizeIndex),
      InstanceMethod("addPoint", &Index::AddPoint),
      InstanceMethod("markDelete", &Index::MarkDelete),
      InstanceMethod("unmarkDelete", &Index::UnmarkDelete),
      InstanceMethod("searchKnn", &Index::SearchKnn),
      InstanceMethod("getPoint", &Index::GetPoint),
      InstanceMethod("getIdsList", &Index::GetIdsList),
      InstanceMethod("getMaxElements", &Index::GetMaxElements),
      InstanceMethod("getCurrentCount", &Index::GetCurrentCount),
      InstanceMethod("setEf", &Index::SetEf),
      InstanceMethod("getEf", &Index::GetEf),
    });
  }

  // new Index(metric: 'cosine' | 'ip' | 'l2', dims)
  explicit Index(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Index>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString()) throw Napi::TypeError::New(env, "new Index(metric, dims): metric must be a string");
    const std::string metric = info[0].As<Napi::String>().Utf8Value();
    if (metric != "cosine" && metric != "ip" && metric != "l2") {
      throw Napi::RangeError::New(env, "metric must be cosine, ip or l2 (got " + metric + ")");
    }
    dims_ = SizeArg(info, 1, "dims");
    if (dims_ == 0) throw Napi::RangeError::New(env, "dims must be positive");
    normalize_ = metric == "cosine";
    space_ = std::make_unique<Space>(metric == "l2", dims_);
    scratch_.resize(dims_);
  }

 private:
  hnswlib::HierarchicalNSW<float>& Graph(Napi::Env env) {
    if (!graph_) throw Napi::Error::New(env, "the index is not initialized: call initIndex or readIndexSync first");
    return *graph_;
  }

  // The vector at `p` as the graph stores it: unit length for cosine (a zero vector stays zero).
  const float* Prepared(const float* p) {
    if (!normalize_) return p;
    float norm = 0;
    for (size_t i = 0; i < dims_; i++) norm += p[i] * p[i];
    const float inv = norm > 0 ? 1.0f / std::sqrt(norm) : 0.0f;
    for (size_t i = 0; i < dims_; i++) scratch_[i] = p[i] * inv;
    return scratch_.data();
  }

  // Runs `fn`, turning hnswlib's exceptions into JavaScript errors that keep its message.
  template <typename F>
  auto Guard(Napi::Env env, F fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, std::string("Hnswlib Error: ") + e.what());
    }
  }

  // initIndex(maxElements, m, efConstruction, randomSeed, allowReplaceDeleted)
  Napi::Value InitIndex(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t max = SizeArg(info, 0, "maxElements"), m = SizeArg(info, 1, "m"), efc = SizeArg(info, 2, "efConstruction");
    const size_t seed = SizeArg(info, 3, "randomSeed");
    const bool replace = info.Length() > 4 && info[4].ToBoolean().Value();
    Guard(env, [&] {
      graph_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(space_.get(), max, m, efc, seed, replace);
      return 0;
    });
    return env.Undefined();
  }

  // readIndexSync(path, allowReplaceDeleted)
  Napi::Value ReadIndex(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "path must be a string");
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    const bool replace = info.Length() > 1 && info[1].ToBoolean().Value();
    Guard(env, [&] {
      graph_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(space_.get(), path, false, 0, replace);
      return 0;
    });
    return env.Undefined();
  }

  Napi::Value WriteIndex(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "path must be a string");
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    hnswlib::HierarchicalNSW<float>& g = Graph(env);
    Guard(env, [&] {
      g.saveIndex(path);
      return 0;
    });
    return env.Undefined();
  }

  Napi::Value ResizeIndex(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t n = SizeArg(info, 0, "newMaxElements");
    hnswlib::HierarchicalNSW<float>& g = Graph(env);
    Guard(env, [&] {
      g.resizeIndex(n);
      return 0;
    });
    return env.Undefined();
  }

  // addPoint(data: Float32Array, offset, label, replaceDeleted): adds row data[offset .. offset+dims)
  Napi::Value AddPoint(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t offset = SizeArg(info, 1, "offset");
    const float* p = FloatsAt(info[0], offset, dims_, "data");
    const size_t label = SizeArg(info, 2, "label");
    const bool replace = info.Length() > 3 && info[3].ToBoolean().Value();
    hnswlib::HierarchicalNSW<float>& g = Graph(env);
    const float* v = Prepared(p);
    Guard(env, [&] {
      g.addPoint(v, label, replace);
      return 0;
    });
    return env.Undefined();
  }

  Napi::Value MarkDelete(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t label = SizeArg(info, 0, "label");
    hnswlib::HierarchicalNSW<float>& g = Graph(env);
    Guard(env, [&] {
      g.markDelete(label);
      return 0;
    });
    return env.Undefined();
  }

  Napi::Value UnmarkDelete(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t label = SizeArg(info, 0, "label");
    hnswlib::HierarchicalNSW<float>& g = Graph(env);
    Guard(env, [&] {
      g.unmarkDelete(label);
      return 0;
    });
    return env.Undefined();
  }

  // searchKnn(query: Float32Array, offset, k, filter: ((label) => boolean) | undefined,
  //           keys: Int32Array, distances: Float32Array, at): writes up to k hits, nearest first,
  //           from index `at` of keys and distances; returns how many.
  Napi::Value SearchKnn(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t offset = SizeArg(info, 1, "offset");
    const float* q = FloatsAt(info[0], offset, dims_, "query");
    const size_t k = SizeArg(info, 2, "k");
    std::unique_ptr<JsFilter> filter;
    if (info.Length() > 3 && info[3].IsFunction()) filter = std::make_unique<JsFilter>(env, info[3].As<Napi::Function>());
    if (info.Length() < 7 || !info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw Napi::TypeError::New(env, "keys must be an Int32Array");
    }
    Napi::Int32Array keys = info[4].As<Napi::Int32Array>();
    const size_t at = SizeArg(info, 6, "at");
    float* distances = const_cast<float*>(FloatsAt(info[5], 0, 0, "distances"));
    hnswlib::HierarchicalNSW<float>& g = Graph(env);
    const float* v = Prepared(q);
    auto hits = Guard(env, [&] { return g.searchKnn(v, k, filter.get()); });
    const size_t n = hits.size();
    if (at + n > keys.ElementLength() || at + n > info[5].As<Napi::Float32Array>().ElementLength()) {
      throw Napi::RangeError::New(env, "keys and distances have no room for the hits");
    }
    // the priority queue pops farthest first
    for (size_t i = n; i-- > 0;) {
      distances[at + i] = hits.top().first;
      keys[at + i] = static_cast<int32_t>(hits.top().second);
      hits.pop();
    }
    return Napi::Number::New(env, static_cast<double>(n));
  }

  // getPoint(label): the stored vector (unit length for cosine) as a new Float32Array
  Napi::Value GetPoint(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t label = SizeArg(info, 0, "label");
    hnswlib::HierarchicalNSW<float>& g = Graph(env);
    std::vector<float> v = Guard(env, [&] { return g.getDataByLabel<float>(label); });
    Napi::Float32Array out = Napi::Float32Array::New(env, v.size());
    std::copy(v.begin(), v.end(), out.Data());
    return out;
  }

  Napi::Value GetIdsList(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    hnswlib::HierarchicalNSW<float>& g = Graph(env);
    Napi::Array out = Napi::Array::New(env, g.label_lookup_.size());
    uint32_t i = 0;
    for (const auto& kv : g.label_lookup_) out[i++] = Napi::Number::New(env, static_cast<double>(kv.first));
    return out;
  }

  Napi::Value GetMaxElements(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(Graph(info.Env()).getMaxElements()));
  }

  Napi::Value GetCurrentCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(Graph(info.Env()).getCurrentElementCount()));
  }

  Napi::Value SetEf(const Napi::CallbackInfo& info) {
    Graph(info.Env()).setEf(SizeArg(info, 0, "ef"));
    return info.Env().Undefined();
  }

  Napi::Value GetEf(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(Graph(info.Env()).ef_));
  }

  size_t dims_ = 0;
  bool normalize_ = false;
  std::unique_ptr<Space> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
  std::vector<float> scratch_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Index", Index::Define(env));
  exports.Set("simd", Napi::String::New(env, SimdName()));
  return exports;
}

}  // namespace

NODE_API_MODULE(semhub_hnsw, Init)
