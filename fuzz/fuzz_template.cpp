// libFuzzer entry point for the 'template' target; its body is gp::fuzz::templateCompiler (fuzz/targets.cpp).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return gp::fuzz::templateCompiler(data, size); }
