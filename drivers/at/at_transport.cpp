// SPDX-License-Identifier: Apache-2.0
#include "drivers/at/at_transport.h"

#include <utility>

#include "libapdu/apdu.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::at {

namespace {

constexpr std::string_view kLog = "at";
constexpr std::chrono::milliseconds kCloseTimeout{5000};

bool is_lock_or_absence(Errc c) { return c == Errc::Busy || c == Errc::Unavailable; }

}  // namespace

std::string_view mode_name(Mode m) {
    switch (m) {
        case Mode::Auto: return "auto";
        case Mode::Csim: return "csim";
        case Mode::Ccho: return "ccho";
    }
    return "?";
}

AtOptions AtOptions::from_uri(const drivers::DriverUri& uri) {
    uri.expect_only({"baud", "mode", "block", "timeout", "load-timeout"});
    if (uri.path.empty() || uri.path.front() != '/')
        fail(Errc::InvalidArgument, "driver at: needs the modem's AT port as an absolute path, e.g. at:/dev/ttyUSB2");
    AtOptions o;
    o.path = uri.path;
    o.baud = static_cast<unsigned>(uri.get_int("baud", 115200, 300, 4'000'000));
    if (!baud_supported(o.baud))
        fail(Errc::InvalidArgument, "driver at: baud=" + uri.get("baud") + " is not a supported rate (e.g. 115200)");
    const std::string mode = uri.get("mode", "auto");
    if (mode == "auto") o.mode = Mode::Auto;
    else if (mode == "csim") o.mode = Mode::Csim;
    else if (mode == "ccho") o.mode = Mode::Ccho;
    else fail(Errc::InvalidArgument, "driver at: mode=" + mode + " (expected auto, csim or ccho)");
    if (uri.has("block")) o.block = static_cast<std::size_t>(uri.get_int("block", 0, 6, 255));
    o.timeout = std::chrono::seconds(uri.get_int("timeout", 10, 1, 3600));
    o.load_timeout = std::chrono::seconds(uri.get_int("load-timeout", 300, 1, 86400));
    return o;
}

AtTransport::AtTransport(AtOptions options) : options_(std::move(options)), mode_(options_.mode) {}

AtTransport::~AtTransport() { close(); }

void AtTransport::open() {
    if (link_ && link_->port().vanished()) {
        log::warning(kLog, options_.path + " went away");
        link_.reset();
        sessions_.clear();  // the modem went with it (a replug resets it)
    }
    if (link_) return;
    auto port = std::make_unique<SerialPort>(options_.path, options_.baud, options_.lock_dir);
    link_ = std::make_unique<AtLink>(std::move(port));
    first_open_ = true;
    loading_ = false;
    try {
        // A modem may be in the middle of something a crashed program left: get it to answer first.
        if (!link_->resync(std::chrono::milliseconds(2000)))
            fail(Errc::TransportError, "at: the modem on " + options_.path + " does not answer AT");
        Reply e0 = run({"ATE0", "ATE0", "", false, false, options_.timeout});
        if (!e0.ok()) log::info(kLog, "ATE0 answered " + e0.final_text() + "; echo stays on (it is skipped)");
        Reply cmee = run({"AT+CMEE=2", "AT+CMEE=2", "", false, false, options_.timeout});
        if (!cmee.ok()) log::info(kLog, "AT+CMEE=2 answered " + cmee.final_text() + "; errors may be terse");
    } catch (...) {
        link_.reset();
        throw;
    }
    log::info(kLog, "using " + options_.path + " (" + link_->port().device() + ", " + std::to_string(options_.baud) +
                        " baud, mode " + std::string(mode_name(mode_)) + ")");
}

void AtTransport::close() noexcept {
    loading_ = false;
    if (!link_) return;
    // Never leak a channel: whatever is still open is closed; what cannot be is swept at the next open.
    while (!sessions_.empty()) {
        const std::uint8_t channel = sessions_.begin()->first;
        try {
            close_logical_channel(channel);
        } catch (const std::exception& e) {
            log::warning(kLog, std::string("closing channel ") + std::to_string(channel) + ": " + e.what());
        }
        sessions_.erase(channel);
    }
    if (link_ && link_->port().vanished()) {
        log::warning(kLog, options_.path + " went away; releasing it");
        link_.reset();
    }
}

Reply AtTransport::run(CommandSpec spec) {
    if (!link_) fail(Errc::Unavailable, "at: " + options_.path + " is not open");
    try {
        Reply r = link_->run(spec);
        last_refused_ = !r.ok();
        return r;
    } catch (const Error& e) {
        if (e.code() == Errc::TransportError) link_failed(e);
        throw;
    }
}

void AtTransport::link_failed(const Error& e) {
    // The port or the modem failed: every channel's fate is unknown; release the port, sweep after reopening.
    for (const auto& [channel, id] : sessions_) stale_.insert(id);
    sessions_.clear();
    const bool gone = link_ && link_->port().vanished();
    link_.reset();
    log::warning(kLog, std::string(e.what()) + "; port released");
    if (gone) fail(Errc::Unavailable, "at: " + options_.path + " went away (" + e.what() + ")");
    throw e;
}

std::chrono::milliseconds AtTransport::timeout_for(ByteView apdu) {
    // SGP.22 §5.7.6: the ES10 function is the BER-TLV in the first STORE DATA block (P2 = 00).
    if (apdu.size() >= 7 && apdu[1] == apdu::kInsStoreData && apdu[3] == 0x00) {
        if (apdu[5] == 0xBF) loading_ = apdu[6] == 0x36;  // LoadBoundProfilePackage starts / another function
    }
    return loading_ ? options_.load_timeout : options_.timeout;
}

Bytes AtTransport::transmit(ByteView command_apdu) {
    if (!link_) fail(Errc::Unavailable, "at: " + options_.path + " is not open (open() first)");
    if (command_apdu.size() < 4) fail(Errc::InvalidArgument, "at: an APDU has at least 4 bytes");
    const auto timeout = timeout_for(command_apdu);
    const std::string len = std::to_string(command_apdu.size() * 2);
    Reply r;
    std::string name;
    if (mode_ == Mode::Ccho) {
        const unsigned channel = apdu::channel_of(command_apdu[0]);
        auto it = sessions_.find(static_cast<std::uint8_t>(channel));
        if (it == sessions_.end())
            fail(Errc::InvalidArgument, "at: mode ccho carries APDUs only on a channel opened with AT+CCHO (channel " +
                                            std::to_string(channel) + " is not)");
        name = "AT+CGLA=" + it->second + "," + len;
        r = run({cgla_command(it->second, command_apdu), name, "+CGLA:", false, true, timeout});
        if (r.ok()) return parse_apdu_response(r.info.back(), "+CGLA:");
    } else {
        name = "AT+CSIM=" + len;
        r = run({csim_command(command_apdu), name, "+CSIM:", false, true, timeout});
        if (r.ok()) return parse_apdu_response(r.info.back(), "+CSIM:");
    }
    loading_ = false;
    fail(Errc::TransportError, "at: " + name + " answered " + r.final_text() + " (modem " + options_.path + ")");
}

TransportLimits AtTransport::limits() const {
    TransportLimits l;
    l.max_command_data = options_.block.value_or(mode_ == Mode::Ccho ? kDefaultCchoBlock : kDefaultCsimBlock);
    l.extended_length = false;
    l.logical_channels = true;
    l.handles_get_response = false;  // 61xx passed through is resolved by exchange(); a modem that resolves it answers 9000
    return l;
}

std::uint8_t AtTransport::number_for(const std::string& session) const {
    // An id that is a channel number (1..19) keeps its number; an opaque handle gets the lowest free one.
    if (session.size() <= 2) {
        const unsigned n = static_cast<unsigned>(std::stoul(session));
        if (n >= 1 && n <= 19 && !sessions_.count(static_cast<std::uint8_t>(n))) return static_cast<std::uint8_t>(n);
    }
    for (std::uint8_t n = 1; n <= 19; ++n)
        if (!sessions_.count(n)) return n;
    fail(Errc::Busy, "at: 19 channels open");
}

void AtTransport::sweep() {
    std::set<std::string> ids = std::move(stale_);
    stale_.clear();
    const bool all = first_open_ ? mode_ != Mode::Csim : ids.count("*") != 0;
    ids.erase("*");
    if (all)
        for (const char* n : {"1", "2", "3"}) ids.insert(n);
    first_open_ = false;
    for (const auto& id : ids) {
        if (mode_ == Mode::Csim) {
            const unsigned channel = static_cast<unsigned>(std::stoul(id));
            Reply r = run({csim_command(apdu::manage_channel_close(channel).encode()), "AT+CSIM=8 (MANAGE CHANNEL close)",
                           "+CSIM:", false, true, kCloseTimeout});
            log::info(kLog, "closing stale channel " + id + ": " +
                                (r.ok() ? to_hex(parse_apdu_response(r.info.back(), "+CSIM:"), true) : r.final_text()));
        } else {
            Reply r = run({cchc_command(id), "AT+CCHC=" + id, "", false, false, kCloseTimeout});
            if (r.ok()) log::info(kLog, "closed stale channel session " + id);
        }
    }
}

std::uint8_t AtTransport::open_logical_channel(ByteView aid) {
    if (!link_) fail(Errc::Unavailable, "at: " + options_.path + " is not open (open() first)");
    loading_ = false;
    if (first_open_ || !stale_.empty()) sweep();
    switch (mode_) {
        case Mode::Ccho: return open_ccho(aid, false);
        case Mode::Csim: return open_csim(aid);
        case Mode::Auto: break;
    }
    try {
        std::uint8_t channel = open_ccho(aid, true);
        mode_ = Mode::Ccho;
        log::info(kLog, "mode auto: the modem on " + options_.path + " opens channels with AT+CCHO (mode ccho)");
        return channel;
    } catch (const Error& e) {
        if (e.code() != Errc::CardError) throw;
        log::info(kLog, std::string("mode auto: ") + e.what() + "; trying AT+CSIM");
    }
    mode_ = Mode::Csim;
    try {
        std::uint8_t channel = open_csim(aid);
        log::info(kLog, "mode auto: the modem on " + options_.path + " passes APDUs with AT+CSIM (mode csim)");
        return channel;
    } catch (const Error& e) {
        if (e.code() == Errc::TransportError && last_refused_) {
            mode_ = Mode::Auto;
            fail(Errc::TransportError, "at: the modem on " + options_.path +
                                           " refuses both AT+CCHO and AT+CSIM (" + e.what() + ")");
        }
        if (e.code() != Errc::CardError) mode_ = Mode::Auto;  // nothing learnt
        throw;
    }
}

std::uint8_t AtTransport::open_ccho(ByteView aid, bool probing) {
    const std::string cmd = ccho_command(aid);
    Reply r;
    try {
        r = run({cmd, "AT+CCHO", "+CCHO:", true, true, options_.timeout});
    } catch (const Error& e) {
        if (e.code() == Errc::Timeout) stale_.insert("*");  // the modem may have opened one
        throw;
    }
    if (!r.ok() && !probing && stale_.empty()) {
        // No free channel is the usual cause: close what may be stale (ids 1..3), then once more.
        log::info(kLog, "AT+CCHO answered " + r.final_text() + "; closing stale channels and trying again");
        stale_.insert("*");
        first_open_ = false;
        sweep();
        r = run({cmd, "AT+CCHO", "+CCHO:", true, true, options_.timeout});
    }
    if (!r.ok())
        fail(Errc::CardError, "at: AT+CCHO=\"" + to_hex(aid, true) + "\" answered " + r.final_text());
    const std::string id = parse_session_id(r.info.back());
    const std::uint8_t channel = number_for(id);
    sessions_[channel] = id;
    log::debug(kLog, "AT+CCHO: session " + id + " as channel " + std::to_string(channel));
    return channel;
}

std::uint8_t AtTransport::open_csim(ByteView aid) {
    apdu::Response mc;
    try {
        mc = exchange(*this, apdu::manage_channel_open());
        if (mc.sw == 0x6A81) {  // no channel free: an earlier run's are still open
            log::warning(kLog, "MANAGE CHANNEL open answered 6A81 (no free channel); closing channels 1..3");
            stale_.insert("*");
            sweep();
            mc = exchange(*this, apdu::manage_channel_open());
        }
    } catch (const Error& e) {
        if (e.code() == Errc::Timeout) stale_.insert("*");
        throw;
    }
    if (!apdu::is_success(mc.sw)) throw Error::card(mc.sw, "MANAGE CHANNEL open");
    if (mc.data.size() != 1 || mc.data[0] == 0 || mc.data[0] > 19)
        fail(Errc::MalformedData, "MANAGE CHANNEL open answered " + to_hex(mc.data) + ", not a channel 1..19");
    const std::uint8_t channel = mc.data[0];
    sessions_[channel] = std::to_string(channel);
    apdu::Response sel;
    try {
        sel = exchange(*this, apdu::select_by_aid(channel, aid));
    } catch (...) {
        try {
            close_logical_channel(channel);
        } catch (const Error&) {
        }
        throw;
    }
    if (!apdu::is_success(sel.sw)) {
        try {
            close_logical_channel(channel);
        } catch (const Error&) {
        }
        throw Error::card(sel.sw, "SELECT " + to_hex(aid, true) + " on channel " + std::to_string(channel));
    }
    return channel;
}

void AtTransport::close_logical_channel(std::uint8_t channel) {
    loading_ = false;
    auto it = sessions_.find(channel);
    if (it == sessions_.end() || !link_) return;  // not ours, or gone with the port
    const std::string id = it->second;
    sessions_.erase(it);
    try {
        if (mode_ == Mode::Ccho) {
            Reply r = run({cchc_command(id), "AT+CCHC=" + id, "", false, false, kCloseTimeout});
            if (!r.ok()) fail(Errc::TransportError, "at: AT+CCHC=" + id + " answered " + r.final_text());
        } else {
            apdu::Response r = exchange(*this, apdu::manage_channel_close(channel));
            if (!apdu::is_success(r.sw)) throw Error::card(r.sw, "MANAGE CHANNEL close " + std::to_string(channel));
        }
    } catch (const Error& e) {
        if (!is_lock_or_absence(e.code()) && link_) stale_.insert(id);
        throw;
    }
}

std::string AtTransport::device_imei() {
    if (!link_) return {};
    try {
        Reply r = run({"AT+CGSN", "AT+CGSN", "+CGSN:", true, true, options_.timeout});
        return r.ok() ? parse_imei(r.info) : std::string();
    } catch (const Error& e) {
        log::info(kLog, std::string("AT+CGSN: ") + e.what());
        return {};
    }
}

}  // namespace lpad::at
