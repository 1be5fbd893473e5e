// Verilator toggle-coverage testbench for lgn_core (and any module with its input ports): presents a
// sequence of input vectors, one evaluation each, and writes Verilator's coverage file, whose toggle
// points count the transitions of every signal bit over the sequence (src/power/toggles.ts reads it).
//
//   Vtb VECTORS_IN COVERAGE_OUT
//   VECTORS_IN: binary, one vector after another, each ceil(N_INPUTS/32) little-endian 32-bit words,
//               x[0] in bit 0 of the first word.
//   stdout, last line: "tb: vectors V steps S".
//
// The first vector only sets the starting state: it is applied (and, for a clocked core, held until
// the pipeline is full) before the counters are zeroed, so power-up transitions from Verilator's
// zero initial values are not counted. Each further vector is one step: an eval() of a
// combinational core, or one clock with in_valid high for a clocked one, which then holds the last
// vector for LATENCY clocks so every step's transitions reach the last pipeline stage.
//
// Macros (from gatebench, as for tb_lgn_core.cpp): N_INPUTS, LATENCY (0: combinational, no clk).
#include "Vlgn_core.h"
#include "verilated.h"
#include "verilated_cov.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <type_traits>

#if !defined(N_INPUTS) || !defined(LATENCY)
#error "define N_INPUTS and LATENCY"
#endif

static constexpr int kInWords = (N_INPUTS + 31) / 32;

template <typename T, typename std::enable_if<std::is_integral<T>::value, int>::type = 0>
static void setPort(T& port, const uint32_t* w) {
    uint64_t v = w[0];
    if (sizeof(T) > 4) v |= static_cast<uint64_t>(w[1]) << 32;
    port = static_cast<T>(v);
}
template <std::size_t W>
static void setPort(VlWide<W>& port, const uint32_t* w) {
    for (std::size_t i = 0; i < W; ++i) port.data()[i] = w[i];
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s VECTORS_IN COVERAGE_OUT\n", argv[0]);
        return 2;
    }
    std::FILE* in = std::fopen(argv[1], "rb");
    if (!in) {
        std::perror(argv[1]);
        return 2;
    }
    std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
    std::unique_ptr<Vlgn_core> top{new Vlgn_core{ctx.get()}};
    uint32_t words[kInWords + 1] = {0};
    long vectors = 0;
    long steps = 0;
#if LATENCY == 0
    auto step = [&]() { top->eval(); };
#else
    auto step = [&]() {
        top->clk = 0;
        top->eval();
        top->clk = 1;
        top->eval();
    };
    top->rst = 1;
    top->in_valid = 0;
    step();
    step();
    top->rst = 0;
    top->in_valid = 1;
#endif
    while (std::fread(words, sizeof(uint32_t), kInWords, in) == static_cast<std::size_t>(kInWords)) {
        setPort(top->x, words);
        ++vectors;
        if (vectors == 1) {
            for (int i = 0; i <= LATENCY; ++i) step();
            ctx->coveragep()->zero();
            continue;
        }
        step();
        ++steps;
    }
    for (int i = 0; i < LATENCY && vectors > 0; ++i) step();
    top->final();
    std::fclose(in);
    ctx->coveragep()->write(argv[2]);
    std::printf("tb: vectors %ld steps %ld\n", vectors, steps);
    return 0;
}
