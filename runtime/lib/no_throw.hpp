// How the runtime keeps its promise that no exception crosses its API: each
// function that can allocate runs its body through no_throw, which turns
// what it throws (std::bad_alloc, mostly) into a Status. Internal to
// tfm_runtime.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <tfm/status.hpp>

namespace tfm {

// `body()`, or an error "<prefix>out of memory" / "<prefix><what()>" for what
// it throws.
template <class Body>
auto no_throw(std::string_view prefix, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Status::error(std::string(prefix) + "out of memory");
  } catch (const std::exception& e) {
    return Status::error(std::string(prefix) + e.what());
  }
}

}  // namespace tfm
