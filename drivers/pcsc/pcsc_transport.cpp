// SPDX-License-Identifier: Apache-2.0
#include "drivers/pcsc/pcsc_transport.h"

#include <utility>

#include "drivers/pcsc/pcsc_presence.h"
#include "drivers/summaries.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::pcsc {

namespace {
constexpr std::string_view kLog = "pcsc";
}

PcscOptions PcscOptions::from_uri(const drivers::DriverUri& uri) {
    uri.expect_only({"reader", "index", "exclusive", "transaction", "aid"});
    if (!uri.path.empty())
        fail(Errc::InvalidArgument, "driver pcsc: takes no path ('" + uri.path + "'); use pcsc:reader=NAME");
    PcscOptions o;
    o.selector = ReaderSelector::from_uri(uri);
    o.share = uri.get_bool("exclusive", false) ? ShareMode::Exclusive : ShareMode::Shared;
    o.transactions = uri.get_bool("transaction", true);
    if (uri.has("aid")) {
        try {
            o.probe_aid = from_hex(uri.get("aid"));
        } catch (const Error&) {
            fail(Errc::InvalidArgument, "driver pcsc: aid=" + uri.get("aid") + " is not hex");
        }
        if (o.probe_aid.size() < 5 || o.probe_aid.size() > 16)
            fail(Errc::InvalidArgument, "driver pcsc: aid= must be 5 to 16 bytes");
    }
    return o;
}

PcscTransport::PcscTransport(PcscOptions options) : options_(std::move(options)) {}

PcscTransport::~PcscTransport() { close(); }

std::string PcscTransport::reader() const { return card_ ? card_->reader() : std::string(); }

void PcscTransport::open() {
    if (card_) return;
    context_ = std::make_unique<PcscContext>();
    const std::vector<std::string> readers = context_->reader_names();
    const std::vector<std::size_t> candidates = options_.selector.candidates(readers);
    const bool probe = options_.selector.needs_probe(candidates.size());
    std::string skipped;
    for (std::size_t i : candidates) {
        std::string why;
        // A probe that lost its card went through lost_card(), which releases the context too: connect again
        // (throws Unavailable when pcscd itself is gone).
        if (!context_) context_ = std::make_unique<PcscContext>();
        auto card = try_reader(readers[i], probe, why);
        if (card) {
            card_ = std::move(card);
            log::info(kLog, "using reader '" + card_->reader() + "' (" + card_->protocol_name() + ", " +
                                (options_.share == ShareMode::Exclusive ? "exclusive" : "shared") + ")");
            return;
        }
        log::info(kLog, "skipping reader '" + readers[i] + "': " + why);
        skipped += (skipped.empty() ? "" : "; ") + readers[i] + ": " + why;
    }
    context_.reset();
    fail(Errc::Unavailable, "pcsc: no eUICC found (" + options_.selector.describe() + "): " + skipped);
}

std::unique_ptr<PcscCard> PcscTransport::try_reader(const std::string& reader, bool probe, std::string& why) {
    std::unique_ptr<PcscCard> card;
    try {
        card = std::make_unique<PcscCard>(*context_, reader, options_.share);
    } catch (const Error& e) {
        if (e.code() != Errc::Unavailable && e.code() != Errc::Busy && e.code() != Errc::TransportError) throw;
        if (!probe) throw;
        why = e.what();
        return nullptr;
    }
    if (!probe) return card;
    // SGP.22 §2.2.3 / GSMA: the ISD-R is reached on a logical channel; a card that cannot select it is no eUICC.
    card_ = std::move(card);
    try {
        std::uint8_t channel = ApduTransport::open_logical_channel(options_.probe_aid);
        ApduTransport::close_logical_channel(channel);
        return std::move(card_);
    } catch (const Error& e) {
        card_.reset();
        if (e.code() == Errc::Internal || e.code() == Errc::InvalidArgument) throw;
        why = e.code() == Errc::CardError ? "no eUICC (" + std::string(e.what()) + ")" : std::string(e.what());
        return nullptr;
    }
}

void PcscTransport::close() noexcept {
    if (card_ && in_transaction_) card_->end_transaction();
    in_transaction_ = false;
    open_channels_ = 0;
    card_.reset();
    context_.reset();
}

void PcscTransport::lost_card(const Error& e) {
    log::warning(kLog, e.what());
    close();
    throw e;
}

std::uint8_t PcscTransport::open_logical_channel(ByteView aid) {
    if (!card_) fail(Errc::Unavailable, "pcsc: not connected to a card");
    const bool begin = options_.transactions && !in_transaction_;
    if (begin) {
        try {
            card_->begin_transaction();
        } catch (const Error& e) {
            if (e.code() == Errc::Unavailable) lost_card(e);
            throw;
        }
        in_transaction_ = true;
    }
    try {
        std::uint8_t channel = ApduTransport::open_logical_channel(aid);
        ++open_channels_;
        return channel;
    } catch (...) {
        if (begin && card_) {
            card_->end_transaction();
            in_transaction_ = false;
        }
        throw;
    }
}

void PcscTransport::close_logical_channel(std::uint8_t channel) {
    if (!card_) return;  // the card went away: its channels went with it
    struct EndTransaction {
        PcscTransport& t;
        ~EndTransaction() {
            if (t.open_channels_ > 0) --t.open_channels_;
            if (t.card_ && t.in_transaction_ && t.open_channels_ == 0) {
                t.card_->end_transaction();
                t.in_transaction_ = false;
            }
        }
    } end{*this};
    ApduTransport::close_logical_channel(channel);
}

Bytes PcscTransport::transmit(ByteView command_apdu) {
    if (!card_) fail(Errc::Unavailable, "pcsc: not connected to a card (open() first)");
    try {
        return card_->transmit(command_apdu);
    } catch (const Error& e) {
        lost_card(e);
    }
}

}  // namespace lpad::pcsc

namespace lpad::drivers {

DriverInfo pcsc_driver_info() {
    return DriverInfo{
        "pcsc", kPcscSummary,
        [](const DriverUri& uri) -> std::unique_ptr<Transport> {
            return std::make_unique<pcsc::PcscTransport>(pcsc::PcscOptions::from_uri(uri));
        },
        [](const DriverUri& uri, PresenceWatch::Callback callback) -> std::unique_ptr<PresenceWatch> {
            return std::make_unique<pcsc::PcscPresenceWatch>(pcsc::PcscOptions::from_uri(uri).selector,
                                                             std::move(callback));
        },
        [](const DriverUri& uri) -> std::vector<std::string> {
            auto options = pcsc::PcscOptions::from_uri(uri);
            if (!options.selector.all) return {uri.to_string()};
            return pcsc::expand_readers(uri, options);
        }};
}

}  // namespace lpad::drivers
