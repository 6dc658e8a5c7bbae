// libFuzzer entry point for the 'config' target; its body is gp::fuzz::config (fuzz/targets.cpp).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return gp::fuzz::config(data, size); }
