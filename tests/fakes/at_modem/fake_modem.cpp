// SPDX-License-Identifier: Apache-2.0
#include "tests/fakes/at_modem/fake_modem.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "libapdu/apdu.h"
#include "libapdu/error.h"

namespace lpad::fake_at {

namespace {

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string unquote(std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
    return s;
}

// "a,b,c" -> fields (no commas inside the values used here).
std::vector<std::string> fields(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto comma = s.find(',', start);
        out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
}

bool parse_uint(const std::string& s, unsigned long& v) {
    if (s.empty() || s.size() > 10 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
    v = std::stoul(s);
    return true;
}

}  // namespace

Dialect Dialect::preset(const std::string& name) {
    Dialect d;
    if (name == "quectel") {
        d.ccho = false;
    } else if (name == "fibocom") {
        d.csim = false;
        d.bare_ccho = true;
        d.space = false;
        d.quote = false;
        d.lower = true;
        d.answer_tests = false;
        d.get_response = true;
    } else if (name == "sierra") {
        d.opaque_ids = true;
        d.echo_stuck = true;
        d.extra_ok = true;
    } else if (name != "generic") {
        throw std::invalid_argument("unknown dialect " + name + " (quectel, fibocom, sierra, generic)");
    }
    return d;
}

FakeModem::FakeModem(std::shared_ptr<virtual_euicc::VirtualCard> card, Dialect dialect, Faults faults)
    : card_(std::move(card)), dialect_(dialect), faults_(std::move(faults)) {
    for (unsigned i = 0; i < faults_.stale; ++i) {
        std::string why;
        auto ch = open_channel(card_->config().isdr_aid, why);
        if (!ch) throw std::runtime_error("cannot leave a stale channel open: " + why);
        sessions_[dialect_.opaque_ids ? std::to_string(1073741824u + *ch) : std::to_string(*ch)] = *ch;
    }
}

std::string FakeModem::info(const std::string& line) { return "\r\n" + line + "\r\n"; }

std::string FakeModem::ok() { return "\r\nOK\r\n"; }

std::string FakeModem::error(const std::string& cme_text, int cme_code) {
    if (cmee_ == 2) return "\r\n+CME ERROR: " + cme_text + "\r\n";
    if (cmee_ == 1) return "\r\n+CME ERROR: " + std::to_string(cme_code) + "\r\n";
    return "\r\nERROR\r\n";
}

std::string FakeModem::urc() {
    static const char* const kUrcs[] = {"+CREG: 1", "RING", "+QIND: \"csq\",20,99", "+CEREG: 5", "^RSSI: 18"};
    ++stats_.urcs;
    return "\r\n" + std::string(kUrcs[urc_turn_++ % 5]) + "\r\n";
}

std::string FakeModem::idle_urc() { return faults_.urcs ? urc() : std::string(); }

Stats FakeModem::stats() const {
    Stats s = stats_;
    s.open_channels = card_->open_channels().size() - 1;  // the basic channel is always open
    return s;
}

std::string FakeModem::stats_json() const {
    Stats s = stats();
    return "{\"commands\": " + std::to_string(s.commands) + ", \"apdus\": " + std::to_string(s.apdus) +
           ", \"errors_injected\": " + std::to_string(s.errors_injected) + ", \"silenced\": " +
           std::to_string(s.silenced) + ", \"urcs\": " + std::to_string(s.urcs) + ", \"open_channels\": " +
           std::to_string(s.open_channels) + ", \"sessions\": " + std::to_string(sessions_.size()) + "}\n";
}

std::string FakeModem::handle(const std::string& raw, unsigned& delay_ms) {
    ++stats_.commands;
    extra_delay_ = 0;
    std::string line = raw;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.erase(0, 1);
    std::string out = echo_ ? line + "\r" : std::string();
    delay_ms = faults_.delay_ms;
    if (line.empty()) return out;
    const std::string cmd = upper(line);
    if (!faults_.silent.empty() && cmd.rfind(upper(faults_.silent), 0) == 0 && ++silent_seen_ == faults_.silent_nth) {
        ++stats_.silenced;
        return {};  // swallowed: no echo, no answer
    }
    if (cmd.size() >= 3 && cmd.substr(cmd.size() - 2) == "=?") {
        if (!dialect_.answer_tests) return {};
        return out + ok();
    }
    if (line.size() > faults_.max_line) return out + "\r\nERROR\r\n";
    std::string answer;
    if (cmd == "AT") answer = ok();
    else if (cmd == "ATE0") {
        echo_ = dialect_.echo_stuck;
        answer = ok();
    } else if (cmd == "ATE1" || cmd == "ATE") {
        echo_ = true;
        answer = ok();
    } else if (cmd.rfind("AT+CMEE=", 0) == 0) {
        unsigned long v = 0;
        if (parse_uint(cmd.substr(8), v) && v <= 2) {
            cmee_ = static_cast<int>(v);
            answer = ok();
        } else {
            answer = error("invalid characters in text string", 25);
        }
    } else if (cmd == "AT+CGSN") answer = cgsn();
    else if (cmd.rfind("AT+CSIM=", 0) == 0) answer = csim(line.substr(8));
    else if (cmd.rfind("AT+CCHO=", 0) == 0) answer = ccho(line.substr(8));
    else if (cmd.rfind("AT+CGLA=", 0) == 0) answer = cgla(line.substr(8));
    else if (cmd.rfind("AT+CCHC=", 0) == 0) answer = cchc(line.substr(8));
    else answer = "\r\nERROR\r\n";
    delay_ms += extra_delay_;
    return out + answer;
}

std::string FakeModem::cgsn() { return info(dialect_.space ? "+CGSN: \"356938035643809\"" : "356938035643809") + ok(); }

bool FakeModem::to_card(Bytes apdu, Bytes& response) {
    ++stats_.apdus;
    if (apdu.size() >= 6 && apdu[1] == apdu::kInsStoreData) {
        if (apdu[3] == 0x00 && apdu[5] == 0xBF) {
            loading_ = apdu.size() >= 7 && apdu[6] == 0x36;
            load_blocks_ = 0;
        }
        if (loading_) {
            // A piece of the profile is installed when its last block (P1 91) arrives: the slow step of a modem.
            if (apdu[2] == 0x91 && slow_pieces_ < 3) {
                ++slow_pieces_;
                extra_delay_ = faults_.load_delay_ms;
            }
            if (++load_blocks_ == faults_.error_in_load && !error_spent_) {
                error_spent_ = true;
                ++stats_.errors_injected;
                return false;
            }
        }
    }
    response = card_->process(apdu);
    if (dialect_.get_response) {
        // The modem fetches the rest itself (T=0 61xx), as many modems' CGLA does.
        while (response.size() >= 2 && response[response.size() - 2] == 0x61) {
            std::uint8_t le = response.back();
            response.resize(response.size() - 2);
            Bytes get{static_cast<std::uint8_t>(apdu[0] & 0x83), 0xC0, 0x00, 0x00, le};
            Bytes more = card_->process(get);
            append(response, more);
        }
    }
    return true;
}

std::string FakeModem::apdu_answer(const std::string& prefix, const Bytes& response) {
    std::string hex = to_hex(response, !dialect_.lower);
    if (dialect_.quote) hex = "\"" + hex + "\"";
    std::string line = prefix + (dialect_.space ? " " : "") + std::to_string(response.size() * 2) + "," + hex;
    std::string out;
    const bool inside = faults_.urcs && (urc_turn_ % 2 == 0);
    if (faults_.urcs && !inside) out += urc();  // before the answer
    out += info(line);
    if (inside) out += urc();  // between the information line and OK
    out += ok();
    if (dialect_.extra_ok) out += ok();
    return out;
}

std::string FakeModem::csim(const std::string& args) {
    if (!dialect_.csim) return "\r\nERROR\r\n";
    auto f = fields(args);
    unsigned long len = 0;
    Bytes apdu;
    try {
        if (f.size() != 2 || !parse_uint(f[0], len)) throw Error(Errc::MalformedData, "args");
        apdu = from_hex(unquote(f[1]));
    } catch (const Error&) {
        return error("invalid characters in text string", 25);
    }
    if (len != apdu.size() * 2 || apdu.size() < 4) return error("incorrect parameters", 50);
    Bytes response;
    if (!to_card(std::move(apdu), response)) return "\r\nERROR\r\n";
    return apdu_answer("+CSIM:", response);
}

std::optional<std::uint8_t> FakeModem::open_channel(ByteView aid, std::string& why) {
    Bytes mc = card_->process(apdu::manage_channel_open().encode());
    if (mc.size() != 3 || mc[1] != 0x90) {
        why = "no free channel";
        return std::nullopt;
    }
    std::uint8_t ch = mc[0];
    Bytes sel = card_->process(apdu::select_by_aid(ch, aid).encode());
    while (sel.size() >= 2 && sel[sel.size() - 2] == 0x61)
        sel = card_->process(Bytes{ch, 0xC0, 0x00, 0x00, sel.back()});
    if (sel.size() < 2 || sel[sel.size() - 2] != 0x90) {
        card_->process(apdu::manage_channel_close(ch).encode());
        why = "not found";
        return std::nullopt;
    }
    return ch;
}

std::string FakeModem::ccho(const std::string& args) {
    if (!dialect_.ccho) return error("operation not supported", 4);
    Bytes aid;
    try {
        aid = from_hex(unquote(args));
    } catch (const Error&) {
        return error("invalid characters in text string", 25);
    }
    if (aid.size() < 5 || aid.size() > 16) return error("incorrect parameters", 50);
    std::string why;
    auto ch = open_channel(aid, why);
    if (!ch) return why == "not found" ? error("not found", 22) : error("memory full", 20);
    std::string id = dialect_.opaque_ids ? std::to_string(1073741824u + *ch) : std::to_string(*ch);
    sessions_[id] = *ch;
    return info(dialect_.bare_ccho ? id : "+CCHO:" + std::string(dialect_.space ? " " : "") + id) + ok();
}

std::string FakeModem::cgla(const std::string& args) {
    if (!dialect_.ccho) return error("operation not supported", 4);
    auto f = fields(args);
    unsigned long len = 0;
    Bytes apdu;
    try {
        if (f.size() != 3 || !parse_uint(f[1], len)) throw Error(Errc::MalformedData, "args");
        apdu = from_hex(unquote(f[2]));
    } catch (const Error&) {
        return error("invalid characters in text string", 25);
    }
    auto it = sessions_.find(f[0]);
    if (it == sessions_.end()) return error("invalid index", 21);
    if (len != apdu.size() * 2 || apdu.size() < 4) return error("incorrect parameters", 50);
    // The modem puts its channel in CLA (first interindustry coding: channels 1..3).
    apdu[0] = static_cast<std::uint8_t>((apdu[0] & 0x90) | it->second);
    Bytes response;
    if (!to_card(std::move(apdu), response)) return "\r\nERROR\r\n";
    return apdu_answer("+CGLA:", response);
}

std::string FakeModem::cchc(const std::string& args) {
    if (!dialect_.ccho) return error("operation not supported", 4);
    auto it = sessions_.find(unquote(args));
    if (it == sessions_.end()) return error("invalid index", 21);
    card_->process(apdu::manage_channel_close(it->second).encode());
    sessions_.erase(it);
    loading_ = false;
    return ok();
}

}  // namespace lpad::fake_at
