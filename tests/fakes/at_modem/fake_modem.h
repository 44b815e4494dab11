// SPDX-License-Identifier: Apache-2.0
// A fake cellular modem for the `at:` driver's tests: speaks AT (3GPP TS 27.007, ITU-T V.250) on the master side
// of a pseudo-terminal, in front of the virtual eUICC (drivers/virtual, real SGP.22). The driver under test opens
// the slave /dev/pts/N like any tty.
//
// Commands: AT, ATE0/ATE1, AT+CMEE=0|1|2, AT+CGSN, AT+CSIM=<len>,"<hex>", AT+CCHO="<aid>", AT+CGLA=<id>,<len>,
// "<hex>", AT+CCHC=<id>; `=?` test commands; anything else is ERROR. Dialects (Dialect) and faults (Faults) switch
// the answers between the forms modems of each family send.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <memory>
#include <string>

#include "drivers/virtual/card.h"

namespace lpad::fake_at {

struct Dialect {
    bool csim = true;           // AT+CSIM works (else ERROR)
    bool ccho = true;           // AT+CCHO/CGLA/CCHC work (else ERROR)
    bool space = true;          // "+CSIM: 4,..." vs "+CSIM:4,..."
    bool quote = true;          // hex in quotes
    bool lower = false;         // lower-case hex
    bool bare_ccho = false;     // CCHO answers a bare number, no "+CCHO:"
    bool opaque_ids = false;    // CCHO answers a handle (e.g. 1073741825) instead of the channel number
    bool answer_tests = true;   // "=?" test commands are answered; false: never answered
    bool echo_stuck = false;    // ATE0 is answered OK but echo stays on
    bool extra_ok = false;      // every answer carrying data ends with OK twice
    bool get_response = false;  // the modem resolves 61xx itself (CGLA/CSIM answer the whole response)
    // quectel: CSIM only, "+CSIM: 4,\"9000\"", 61xx passed through, ERROR to CCHO.
    // fibocom: CCHO/CGLA only, bare CCHO numbers, "+CGLA:4,9000" lower case unquoted, no =? answers, GET
    //          RESPONSE done by the modem, ERROR to CSIM.
    // sierra:  both; opaque CCHO handles; echo cannot be turned off; extra OK lines.
    // Throws std::invalid_argument for another name.
    static Dialect preset(const std::string& name);
};

struct Faults {
    unsigned delay_ms = 0;       // before every answer
    unsigned load_delay_ms = 0;  // before the answers to the first 3 profile pieces (STORE DATA P1 91) of a load
    bool urcs = false;           // unsolicited result codes between and inside answers
    unsigned error_in_load = 0;  // the Nth STORE DATA of a profile load is answered ERROR, once (not sent to the card)
    std::string silent;          // commands starting with this ...
    unsigned silent_nth = 0;     // ... the Nth of them gets no answer at all (and is not executed)
    unsigned stale = 0;          // channels left open (ISD-R selected) at start, as by a crashed earlier program
    std::size_t max_line = 600;  // longer command lines are ERROR
};

struct Stats {
    std::size_t commands = 0;
    std::size_t apdus = 0;
    std::size_t errors_injected = 0;
    std::size_t silenced = 0;
    std::size_t urcs = 0;
    std::size_t open_channels = 0;  // logical channels open on the card (the basic channel not counted)
};

class FakeModem {
public:
    FakeModem(std::shared_ptr<virtual_euicc::VirtualCard> card, Dialect dialect, Faults faults);

    // One command line (without CR): the bytes to send back (echo included), empty when the command goes
    // unanswered. `delay_ms` gets how long to wait before sending them.
    std::string handle(const std::string& line, unsigned& delay_ms);
    // An unsolicited line with its framing, for the runner to send between answers (empty when urcs are off).
    std::string idle_urc();
    Stats stats() const;
    std::string stats_json() const;

private:
    std::string csim(const std::string& args);
    std::string ccho(const std::string& args);
    std::string cgla(const std::string& args);
    std::string cchc(const std::string& args);
    std::string cgsn();
    // An APDU for the card; nullopt when a fault swallowed it (ERROR answered).
    bool to_card(Bytes apdu, Bytes& response);
    std::string apdu_answer(const std::string& prefix, const Bytes& response);
    std::string info(const std::string& line);
    std::string ok();
    std::string error(const std::string& cme_text, int cme_code);
    std::string urc();
    std::optional<std::uint8_t> open_channel(ByteView aid, std::string& why);

    std::shared_ptr<virtual_euicc::VirtualCard> card_;
    Dialect dialect_;
    Faults faults_;
    Stats stats_;
    bool echo_ = true;
    int cmee_ = 0;
    std::map<std::string, std::uint8_t> sessions_;  // CCHO id -> channel
    bool loading_ = false;
    unsigned load_blocks_ = 0;
    bool error_spent_ = false;
    unsigned silent_seen_ = 0;
    unsigned urc_turn_ = 0;
    unsigned extra_delay_ = 0;
    unsigned slow_pieces_ = 0;
};

}  // namespace lpad::fake_at
