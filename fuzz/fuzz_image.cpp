// libFuzzer entry point for the 'image' target; its body is gp::fuzz::image (fuzz/targets.cpp).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return gp::fuzz::image(data, size); }
