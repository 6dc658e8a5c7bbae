// libFuzzer entry point for the 'sqlnames' target; its body is gp::fuzz::sqlNames (fuzz/targets.cpp).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return gp::fuzz::sqlNames(data, size); }
