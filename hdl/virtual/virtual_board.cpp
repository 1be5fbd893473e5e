// Virtual board: the device top (gatebench_top) in Verilator behind a pseudo-terminal.
//
//   vboard
//
// Opens a pty, simulates the board's power-on until the device is out of reset and its lines are
// idle, prints one line "gatebench-virtual pty PATH clock_hz C baud B" on stdout, then goes on
// simulating the board clock cycle by cycle: bytes the host writes to the pty are driven onto the
// design's uart_rx pin as 8N1 frames, bit by bit, at the baud the host set on its end of the pty
// (the bits land on simulated clock cycles, as on a board); the uart_tx pin is sampled like a
// UART receiver at the same baud and the bytes go back to the host. The host cannot tell it
// from a board, and the device's own cycle counter (INFO uptime) counts simulated cycles.
//
// When nothing happens (no byte queued or on the wires, both lines idle for two bit times and 128 cycles)
// the simulation waits for the host without advancing simulated time, so simulated time measures
// the link and the device, not the host's or the simulator's speed.
//
// With GB_ACTIVITY (the RTL level: the top then has an `activity` port, the core's in_valid), it
// counts the cycles in which the core evaluates a vector, keeps simulating while the core is busy
// (a STRESS run has no UART traffic), and reports the counters on stdout about every 20 ms of wall
// time while it simulates (idle 0) and when it pauses for the host (idle 1), for the virtual power
// monitor:
//   "gatebench-virtual activity cycles N active A idle I"
//
// SIGTERM, SIGINT or SIGHUP end it, and so does its parent's death; the last line on stderr is
//   "gatebench-virtual: cycles N simulated_seconds S wall_seconds W rx_bytes R tx_bytes T framing_errors F active A"
//
// Compile-time macros: GB_CLK_HZ and GB_BAUD (the design's clock and configured baud), GB_ACTIVITY.
#include "Vgatebench_top.h"
#include "verilated.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

#if !defined(GB_CLK_HZ) || !defined(GB_BAUD)
#error "define GB_CLK_HZ and GB_BAUD"
#endif

static volatile std::sig_atomic_t g_stop = 0;
static void onSignal(int) { g_stop = 1; }

// The baud set on the host's end of the pty (termios is shared by both ends); fallback if unknown.
static double ttyBaud(int fd, double fallback) {
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return fallback;
    static const struct { speed_t code; double baud; } kSpeeds[] = {
        {B1200, 1200},       {B2400, 2400},       {B4800, 4800},       {B9600, 9600},
        {B19200, 19200},     {B38400, 38400},     {B57600, 57600},     {B115200, 115200},
        {B230400, 230400},   {B460800, 460800},   {B500000, 500000},   {B576000, 576000},
        {B921600, 921600},   {B1000000, 1000000}, {B1152000, 1152000}, {B1500000, 1500000},
        {B2000000, 2000000}, {B2500000, 2500000}, {B3000000, 3000000}, {B3500000, 3500000},
        {B4000000, 4000000},
    };
    const speed_t s = cfgetospeed(&t);
    for (const auto& k : kSpeeds)
        if (k.code == s) return k.baud;
    return fallback;
}

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    const double clockHz = GB_CLK_HZ;
    double baud = GB_BAUD;

    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        std::fprintf(stderr, "gatebench-virtual: cannot open a pty: %s\n", std::strerror(errno));
        return 1;
    }
    const char* name = ptsname(master);
    if (!name) {
        std::fprintf(stderr, "gatebench-virtual: ptsname failed: %s\n", std::strerror(errno));
        return 1;
    }
    const std::string path(name);
    // Hold the host's end open ourselves: the pty then survives the host closing and re-opening
    // it (as a board's USB UART does), and starts raw at the design's baud.
    const int slave = open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (slave < 0) {
        std::fprintf(stderr, "gatebench-virtual: cannot open %s: %s\n", path.c_str(), std::strerror(errno));
        return 1;
    }
    struct termios raw;
    if (tcgetattr(slave, &raw) == 0) {
        cfmakeraw(&raw);
        speed_t code = B115200;
        if (GB_BAUD == 3000000) code = B3000000;
        else if (GB_BAUD == 1000000) code = B1000000;
        else if (GB_BAUD == 921600) code = B921600;
        else if (GB_BAUD == 9600) code = B9600;
        cfsetspeed(&raw, code);
        tcsetattr(slave, TCSANOW, &raw);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    std::signal(SIGHUP, onSignal);
    std::signal(SIGPIPE, SIG_IGN);
    // A board whose owner died (killed mid-sweep) ends instead of idling forever.
    const pid_t owner = getppid();

    auto top = std::make_unique<Vgatebench_top>();
    top->clk = 0;
    top->uart_rx = 1;
    top->eval();

    const auto wallStart = std::chrono::steady_clock::now();
    uint64_t cycle = 0;
    uint64_t rxBytes = 0, txBytes = 0, framingErrors = 0;
    double cpb = clockHz / baud;  // clock cycles per bit at the host's baud

    // Host -> device: queued bytes and the frame being driven.
    std::deque<uint8_t> rxQueue;
    bool rxBusy = false;
    double rxStart = 0;  // cycle the current frame's start bit began
    uint16_t rxFrame = 0x3ff;
    // Device -> host: a UART receiver sampling mid-bit.
    bool txBusy = false;
    double txStart = 0;
    int txBit = 0;
    uint16_t txShift = 0;
    std::vector<uint8_t> out;
    bool announced = false;  // the pty line has been printed
    uint64_t quiet = 0;  // cycles with nothing on either wire (and, with GB_ACTIVITY, an idle core)
    uint64_t active = 0;  // cycles in which the core evaluated a vector
    uint64_t reportedCycle = ~0ull;
    bool reportedIdle = false;
    auto lastReport = std::chrono::steady_clock::now();
    auto reportActivity = [&](bool idle) {
        if (reportedCycle == cycle && reportedIdle == idle) return;
        reportedCycle = cycle;
        reportedIdle = idle;
        lastReport = std::chrono::steady_clock::now();
        std::printf("gatebench-virtual activity cycles %llu active %llu idle %d\n", static_cast<unsigned long long>(cycle),
                    static_cast<unsigned long long>(active), idle ? 1 : 0);
        std::fflush(stdout);
    };
    std::vector<uint8_t> buf(4096);

    auto readHost = [&]() {
        for (;;) {
            const ssize_t n = read(master, buf.data(), buf.size());
            if (n <= 0) break;
            rxQueue.insert(rxQueue.end(), buf.begin(), buf.begin() + n);
            const double b = ttyBaud(slave, baud);
            if (b != baud) {
                baud = b;
                cpb = clockHz / baud;
            }
        }
    };
    auto flushHost = [&]() {
        size_t done = 0;
        while (done < out.size()) {
            const ssize_t n = write(master, out.data() + done, out.size() - done);
            if (n <= 0) break;  // the pty is full (the host is not reading): keep the rest
            done += static_cast<size_t>(n);
        }
        out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(done));
    };

    while (!g_stop) {
        if ((cycle & 255) == 0) {
            readHost();
            if (!out.empty()) flushHost();
        }
#ifdef GB_ACTIVITY
        // Checked every 4096 cycles: a large core simulates at a few hundred thousand cycles per second.
        if ((cycle & 0xfff) == 0 && std::chrono::steady_clock::now() - lastReport > std::chrono::milliseconds(20)) reportActivity(false);
#endif
        // Idle: wait for the host without simulating.
        const double guard = 2 * cpb + 128;  // the device answers within tens of cycles
        if (!rxBusy && rxQueue.empty() && !txBusy && static_cast<double>(quiet) > guard) {
            // The first idle moment: the device is out of its power-on reset (16 cycles, well within
            // the guard) with both lines high, as a board is before its port is opened. Only now may the host learn the path: a
            // byte driven onto uart_rx during the reset is missed, and its receiver would then
            // lock onto a data bit and lose the framing of the bytes chained after it.
            if (!announced) {
                std::printf("gatebench-virtual pty %s clock_hz %.0f baud %.0f\n", path.c_str(), clockHz, baud);
                std::fflush(stdout);
                announced = true;
            }
            if (!out.empty()) flushHost();
#ifdef GB_ACTIVITY
            reportActivity(true);
#endif
            struct pollfd p = {master, POLLIN, 0};
            const int r = poll(&p, 1, 200);
            if (r > 0) readHost();
            if (getppid() != owner) break;
            if (rxQueue.empty()) continue;
        }
        // Drive uart_rx.
        if (!rxBusy && !rxQueue.empty()) {
            rxFrame = static_cast<uint16_t>(0x200 | (rxQueue.front() << 1));  // start 0, data, stop 1
            rxQueue.pop_front();
            rxBusy = true;
            ++rxBytes;
            rxStart = static_cast<double>(cycle);  // (back-to-back bytes are chained below)
        }
        uint8_t level = 1;
        if (rxBusy) {
            const int bit = static_cast<int>((static_cast<double>(cycle) - rxStart) / cpb);
            if (bit >= 10) {
                rxBusy = false;
                // Start the next queued byte on the same cycle if there is one.
                if (!rxQueue.empty()) {
                    rxFrame = static_cast<uint16_t>(0x200 | (rxQueue.front() << 1));
                    rxQueue.pop_front();
                    rxBusy = true;
                    ++rxBytes;
                    rxStart += 10 * cpb;
                    level = (rxFrame >> static_cast<int>((static_cast<double>(cycle) - rxStart) / cpb)) & 1;
                }
            } else {
                level = (rxFrame >> (bit < 0 ? 0 : bit)) & 1;
            }
        }
        top->uart_rx = level;
        top->clk = 1;
        top->eval();
        top->clk = 0;
        top->eval();
        ++cycle;

        // Sample uart_tx.
        const uint8_t tx = top->uart_tx & 1;
        if (!txBusy) {
            if (tx == 0) {
                txBusy = true;
                txStart = static_cast<double>(cycle) - 0.5;  // the edge fell within the last cycle
                txBit = 0;
                txShift = 0;
            }
        } else if (static_cast<double>(cycle) >= txStart + (txBit + 0.5) * cpb) {
            txShift = static_cast<uint16_t>(txShift | (tx << txBit));
            ++txBit;
            if (txBit == 1 && (txShift & 1)) txBusy = false;  // not a start bit: a glitch
            else if (txBit == 10) {
                txBusy = false;
                if (txShift & 0x200) {
                    out.push_back(static_cast<uint8_t>((txShift >> 1) & 0xff));
                    ++txBytes;
                } else {
                    ++framingErrors;
                }
            }
        }
#ifdef GB_ACTIVITY
        const bool evaluating = top->activity & 1;
        active += evaluating;
#else
        const bool evaluating = false;
#endif
        quiet = (rxBusy || txBusy || tx == 0 || evaluating) ? 0 : quiet + 1;
    }

    flushHost();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
    std::fprintf(stderr,
                 "gatebench-virtual: cycles %llu simulated_seconds %.6f wall_seconds %.3f rx_bytes %llu tx_bytes %llu framing_errors %llu active %llu\n",
                 static_cast<unsigned long long>(cycle), static_cast<double>(cycle) / clockHz, wall,
                 static_cast<unsigned long long>(rxBytes), static_cast<unsigned long long>(txBytes),
                 static_cast<unsigned long long>(framingErrors), static_cast<unsigned long long>(active));
    top->final();
    close(slave);
    close(master);
    return 0;
}
