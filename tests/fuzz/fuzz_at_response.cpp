// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the at: driver's response parser (drivers/at/at_parser.h) on whatever a modem may send. The input's
// first byte picks the command the answer is for; the rest is the byte stream, split into lines and assembled, and
// every information line goes through the parser for that command. Only lpad::Error may be thrown; a parsed APDU
// answer has at least the status word.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "drivers/at/at_parser.h"
#include "libapdu/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad::at;
    if (size == 0) return 0;
    struct Kind {
        const char* command;
        const char* prefix;
        bool bare;
    };
    static const Kind kinds[] = {{"AT+CSIM=10,\"0070000001\"", "+CSIM:", false},
                                 {"AT+CGLA=1,10,\"0070000001\"", "+CGLA:", false},
                                 {"AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"", "+CCHO:", true},
                                 {"AT+CGSN", "+CGSN:", true}};
    const Kind& k = kinds[data[0] % 4];
    const bool needs_info = (data[0] & 4) != 0;
    LineSplitter split;
    ReplyAssembler assembler(k.command, k.prefix, k.bare, needs_info);
    try {
        split.append(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
        while (auto line = split.next()) {
            (void)final_result(*line);
            (void)is_unsolicited(*line, k.prefix);
            if (assembler.feed(*line)) break;
        }
    } catch (const lpad::Error&) {
    }
    const Reply& r = assembler.reply();
    (void)r.final_text();
    for (const auto& line : r.info) {
        try {
            if (k.bare && std::string(k.prefix) == "+CCHO:") {
                std::string id = parse_session_id(line);
                if (id.empty() || id.size() > 10) std::abort();
            } else if (k.bare) {
                std::string imei = parse_imei({line});
                if (!imei.empty() && imei.size() != 15 && imei.size() != 16) std::abort();
            } else {
                if (parse_apdu_response(line, k.prefix).size() < 2) std::abort();
            }
        } catch (const lpad::Error&) {
        }
    }
    return 0;
}
