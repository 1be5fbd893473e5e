// Verilator testbench for lgn_core: streams vectors from a file, writes one result line per vector.
//
//   Vtb IN OUT
//   IN:  one vector per line, x as hex, most significant digit first (x[N-1] .. x[0]).
//   OUT: one line per vector, in input order: "<sums hex> <class_idx hex>", zero-padded to the
//        ports' widths (the format of Icarus' %h, so both testbenches write identical files).
//   stdout, last line: "tb: vectors V cycles C latency L seconds S" (latency -1 if combinational).
//
// Compile-time macros (from gatebench): N_INPUTS, SUM_WIDTH (classes * sum bits), IDX_BITS and
// LATENCY (0: combinational core without clk; otherwise the core's clk/rst/in_valid/out_valid);
// READY when the design has an in_ready output (a vector is given only while it is high: the
// bitstream adapter, which takes one vector at a time).
#include "Vlgn_core.h"
#include "verilated.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#if !defined(N_INPUTS) || !defined(SUM_WIDTH) || !defined(IDX_BITS) || !defined(LATENCY)
#error "define N_INPUTS, SUM_WIDTH, IDX_BITS and LATENCY"
#endif

static constexpr int kInWords = (N_INPUTS + 31) / 32;
static constexpr int kSumWords = (SUM_WIDTH + 31) / 32;

// Ports are CData/SData/IData/QData up to 64 bits and VlWide<W> above; these copy 32-bit words.
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
template <typename T, typename std::enable_if<std::is_integral<T>::value, int>::type = 0>
static void getPort(const T& port, uint32_t* w) {
    const uint64_t v = port;
    w[0] = static_cast<uint32_t>(v);
    if (sizeof(T) > 4) w[1] = static_cast<uint32_t>(v >> 32);
}
template <std::size_t W>
static void getPort(const VlWide<W>& port, uint32_t* w) {
    for (std::size_t i = 0; i < W; ++i) w[i] = port.data()[i];
}

static int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Parse a hex line into words (least significant first). False on a malformed line.
static bool parseHex(const char* line, uint32_t* words, int nwords) {
    std::memset(words, 0, sizeof(uint32_t) * nwords);
    int len = static_cast<int>(std::strlen(line));
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ')) --len;
    if (len == 0) return false;
    for (int i = 0; i < len; ++i) {
        const int v = hexValue(line[len - 1 - i]);
        if (v < 0) return false;
        const int bit = i * 4;
        if (bit / 32 < nwords) words[bit / 32] |= static_cast<uint32_t>(v) << (bit % 32);
        else if (v != 0) return false;
    }
    return true;
}

static void writeHex(std::FILE* f, const uint32_t* words, int bits) {
    char buf[SUM_WIDTH / 4 + 8];
    const int digits = (bits + 3) / 4;
    for (int d = 0; d < digits; ++d) {
        const int bit = (digits - 1 - d) * 4;
        const uint32_t v = (words[bit / 32] >> (bit % 32)) & 0xF;
        buf[d] = "0123456789abcdef"[v];
    }
    buf[digits] = '\0';
    std::fputs(buf, f);
}

struct Runner {
    std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
    std::unique_ptr<Vlgn_core> top{new Vlgn_core{ctx.get()}};
    std::FILE* out = nullptr;
    long written = 0;

    void emit() {
        uint32_t sums[kSumWords + 2] = {0};
        uint32_t idx[2] = {0};
        getPort(top->sums, sums);
        getPort(top->class_idx, idx);
        writeHex(out, sums, SUM_WIDTH);
        std::fputc(' ', out);
        writeHex(out, idx, IDX_BITS);
        std::fputc('\n', out);
        ++written;
    }
};

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s VECTORS_IN RESULTS_OUT\n", argv[0]);
        return 2;
    }
    std::FILE* in = std::fopen(argv[1], "r");
    if (!in) {
        std::perror(argv[1]);
        return 2;
    }
    Runner r;
    r.out = std::fopen(argv[2], "w");
    if (!r.out) {
        std::perror(argv[2]);
        return 2;
    }
    std::vector<char> line(N_INPUTS / 4 + 64);
    uint32_t words[kInWords + 2];
    long read = 0;
    long cycles = 0;
    long latency = -1;
    const auto started = std::chrono::steady_clock::now();
#if LATENCY == 0
    while (std::fgets(line.data(), static_cast<int>(line.size()), in)) {
        if (!parseHex(line.data(), words, kInWords)) {
            std::fprintf(stderr, "tb: malformed vector on line %ld\n", read + 1);
            return 2;
        }
        ++read;
        setPort(r.top->x, words);
        r.top->eval();
        r.emit();
    }
#else
    auto tick = [&]() {
        r.top->clk = 0;
        r.top->eval();
        r.top->clk = 1;
        r.top->eval();
    };
    r.top->rst = 1;
    r.top->in_valid = 0;
    tick();
    tick();
    r.top->rst = 0;
    bool inputDone = false;
    long firstIn = -1;
    long doneCycle = 0;
#ifdef READY
    auto ready = [&]() { return r.top->in_ready != 0; };
#else
    auto ready = []() { return true; };
#endif
    while (!inputDone || r.written < read) {
        if (!inputDone && !ready()) {
            r.top->in_valid = 0;
        } else if (!inputDone && std::fgets(line.data(), static_cast<int>(line.size()), in)) {
            if (!parseHex(line.data(), words, kInWords)) {
                std::fprintf(stderr, "tb: malformed vector on line %ld\n", read + 1);
                return 2;
            }
            setPort(r.top->x, words);
            r.top->in_valid = 1;
            if (firstIn < 0) firstIn = cycles;
            ++read;
        } else {
            if (!inputDone) doneCycle = cycles;
            inputDone = true;
            r.top->in_valid = 0;
        }
        tick();
        if (r.top->out_valid) {
            if (latency < 0) latency = cycles - firstIn + 1;
            r.emit();
        }
        ++cycles;
        if (inputDone && cycles > doneCycle + 4L * LATENCY + 16) {
            std::fprintf(stderr, "tb: %ld vectors in, only %ld results after %ld cycles (out_valid stuck?)\n", read, r.written, cycles);
            return 3;
        }
    }
#endif
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    r.top->final();
    std::fclose(r.out);
    std::fclose(in);
    std::printf("tb: vectors %ld cycles %ld latency %ld seconds %.6f\n", r.written, cycles, latency, seconds);
    return 0;
}
