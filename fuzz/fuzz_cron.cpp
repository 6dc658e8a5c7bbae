// libFuzzer entry point for the 'cron' target; its body is gp::fuzz::cron (fuzz/targets.cpp).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return gp::fuzz::cron(data, size); }
