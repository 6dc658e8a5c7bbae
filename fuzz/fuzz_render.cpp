// libFuzzer entry point for the 'render' target; its body is gp::fuzz::render (fuzz/targets.cpp).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return gp::fuzz::render(data, size); }
