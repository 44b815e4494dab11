// SPDX-License-Identifier: Apache-2.0
// lpad-test-pcsc-t0-client: another PC/SC program next to lpad, the way lpac uses a removable eUICC: plain winscard
// calls, SCARD_PROTOCOL_T0 only, exclusive by default, ISD-R selected on the basic channel, ES10 commands in
// STORE DATA blocks with 61xx/6Cxx handled by GET RESPONSE (ISO 7816-3 §10.3.3/§10.3.4). Independent of lpad's
// driver on purpose: it is what lpad must coexist with (issue 11 item 12).
//   lpad-test-pcsc-t0-client READER [--shared] [--hold-ms MS] ES10-HEX...
// --hold-ms keeps the connection that long after the last command, as a program does while it talks to a server.
// Prints each ES10 answer as hex, one line each. Exit 0; 3 when SCardConnect fails (the PC/SC code is printed as
// lpac prints it: "SCardConnect() failed: 8010000F"); 1 on any other failure.
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<unsigned char>;

Bytes from_hex(const std::string& s) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < s.size(); i += 2)
        out.push_back(static_cast<unsigned char>(std::stoul(s.substr(i, 2), nullptr, 16)));
    return out;
}

std::string to_hex(const Bytes& b) {
    std::string out;
    char c[3];
    for (unsigned char x : b) {
        std::snprintf(c, sizeof c, "%02X", x);
        out += c;
    }
    return out;
}

struct Failed {
    int status;
    std::string message;
};

class Context {
public:
    Context() {
        if (LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx_); rv != SCARD_S_SUCCESS)
            throw Failed{1, "SCardEstablishContext() failed: " + hex32(rv)};
    }
    ~Context() { SCardReleaseContext(ctx_); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    SCARDCONTEXT get() const { return ctx_; }
    static std::string hex32(LONG rv) {
        char b[16];
        std::snprintf(b, sizeof b, "%08lX", static_cast<unsigned long>(rv));
        return b;
    }

private:
    SCARDCONTEXT ctx_ = 0;
};

class Card {
public:
    Card(const Context& ctx, const std::string& reader, bool shared) {
        DWORD protocol = 0;
        LONG rv = SCardConnect(ctx.get(), reader.c_str(), shared ? SCARD_SHARE_SHARED : SCARD_SHARE_EXCLUSIVE,
                               SCARD_PROTOCOL_T0, &card_, &protocol);
        if (rv != SCARD_S_SUCCESS) throw Failed{3, "SCardConnect() failed: " + Context::hex32(rv)};
    }
    ~Card() { SCardDisconnect(card_, SCARD_LEAVE_CARD); }
    Card(const Card&) = delete;
    Card& operator=(const Card&) = delete;

    // One APDU; T=0 procedure: 61xx -> GET RESPONSE xx, 6Cxx -> the same command again with Le = xx.
    Bytes exchange(Bytes apdu) {
        Bytes data;
        for (int guard = 0; guard < 64; ++guard) {
            Bytes r = raw(apdu);
            const unsigned sw1 = r[r.size() - 2], sw2 = r[r.size() - 1];
            data.insert(data.end(), r.begin(), r.end() - 2);
            if (sw1 == 0x61) {
                apdu = {static_cast<unsigned char>(apdu[0] & 0x03), 0xC0, 0x00, 0x00, static_cast<unsigned char>(sw2)};
                continue;
            }
            if (sw1 == 0x6C) {
                apdu.back() = static_cast<unsigned char>(sw2);
                continue;
            }
            data.push_back(static_cast<unsigned char>(sw1));
            data.push_back(static_cast<unsigned char>(sw2));
            return data;
        }
        throw Failed{1, "too many GET RESPONSE rounds"};
    }

private:
    Bytes raw(const Bytes& apdu) {
        Bytes r(258);
        DWORD len = static_cast<DWORD>(r.size());
        LONG rv = SCardTransmit(card_, SCARD_PCI_T0, apdu.data(), static_cast<DWORD>(apdu.size()), nullptr, r.data(),
                                &len);
        if (rv != SCARD_S_SUCCESS) throw Failed{1, "SCardTransmit() failed: " + Context::hex32(rv)};
        if (len < 2) throw Failed{1, "SCardTransmit() returned no status word"};
        r.resize(len);
        return r;
    }
    SCARDHANDLE card_ = 0;
};

unsigned sw_of(const Bytes& r) { return static_cast<unsigned>((r[r.size() - 2] << 8) | r[r.size() - 1]); }

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: lpad-test-pcsc-t0-client READER [--shared] ES10-HEX...\n");
        return 1;
    }
    try {
        std::string reader = argv[1];
        bool shared = false;
        unsigned long hold_ms = 0;
        std::vector<Bytes> commands;
        for (int i = 2; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--shared") shared = true;
            else if (arg == "--hold-ms" && i + 1 < argc) hold_ms = std::stoul(argv[++i]);
            else commands.push_back(from_hex(arg));
        }
        Context ctx;
        Card card(ctx, reader, shared);
        Bytes select = from_hex("00A4040010A0000005591010FFFFFFFF890000010000");
        select.pop_back();  // T=0: case 3 on the wire, the FCI comes with 61xx
        Bytes fci = card.exchange(select);
        if (sw_of(fci) != 0x9000) throw Failed{1, "SELECT ISD-R: " + to_hex(fci)};
        for (const Bytes& command : commands) {
            Bytes answer;
            for (std::size_t off = 0, block = 0; off < command.size(); off += 255, ++block) {
                const std::size_t n = std::min<std::size_t>(255, command.size() - off);
                const bool last = off + n == command.size();
                Bytes apdu{0x80, 0xE2, static_cast<unsigned char>(last ? 0x91 : 0x11),
                           static_cast<unsigned char>(block), static_cast<unsigned char>(n)};
                apdu.insert(apdu.end(), command.begin() + static_cast<long>(off),
                            command.begin() + static_cast<long>(off + n));
                answer = card.exchange(apdu);
                if (sw_of(answer) != 0x9000) throw Failed{1, "STORE DATA: " + to_hex(answer)};
            }
            answer.resize(answer.size() - 2);
            std::printf("%s\n", to_hex(answer).c_str());
        }
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
        return 0;
    } catch (const Failed& f) {
        std::fprintf(stderr, "%s\n", f.message.c_str());
        return f.status;
    }
}
