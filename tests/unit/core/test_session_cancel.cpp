// SPDX-License-Identifier: Apache-2.0
// What reaches the card and the server around a download's mutual authentication (issue #11 item 3): the device's
// IMEI as the transport reports it, a bad IMEI refused before any session opens, and a failure after the card
// answered AuthenticateServer ending the session the card holds.
#include <doctest/doctest.h>

#include "libapdu/es10b_auth.h"
#include "lpad/core/download.h"
#include "unit/core/core_fixture.h"

using namespace lpad;
using namespace lpad::core;
using namespace lpad::core::testing;
using smdpp::OrderState;

namespace {

// The real virtual card behind a link that reports a device IMEI (as a modem does: QMI DMS, MBIM, AT+CGSN), keeps
// the last AuthenticateServer request, and can lose the answer to it: the GET RESPONSE after the card has executed
// it fails, so the card holds the session but lpad never sees its answer.
class DeviceLink final : public Transport {
public:
    explicit DeviceLink(Transport& card) : card_(card) {}
    std::string imei;
    bool lose_authenticate_server_answer = false;
    std::optional<es10::AuthenticateServerRequest> authenticate_server;

    void open() override { card_.open(); }
    void close() noexcept override { card_.close(); }
    std::uint8_t open_logical_channel(ByteView aid) override { return card_.open_logical_channel(aid); }
    void close_logical_channel(std::uint8_t channel) override { card_.close_logical_channel(channel); }
    TransportLimits limits() const override { return card_.limits(); }
    std::string device_imei() override { return imei; }
    Bytes transmit(ByteView apdu) override {
        if (apdu.size() >= 2 && apdu[1] == 0xC0 && after_authenticate_server_ && lose_authenticate_server_answer) {
            lose_authenticate_server_answer = false;
            fail(Errc::TransportError, "test: the answer to AuthenticateServer was lost");
        }
        if (apdu.size() >= 5 && apdu[1] == 0xE2) {  // STORE DATA: P1 bit 8 = last block (GlobalPlatform §11.11)
            store_data_.insert(store_data_.end(), apdu.begin() + 5, apdu.begin() + 5 + apdu[4]);
            after_authenticate_server_ = false;
            if (apdu[2] & 0x80) {
                if (store_data_.size() > 2 && store_data_[0] == 0xBF && store_data_[1] == 0x38) {
                    authenticate_server = es10::AuthenticateServerRequest::decode(store_data_);
                    after_authenticate_server_ = true;
                }
                store_data_.clear();
            }
        }
        return card_.transmit(apdu);
    }

private:
    Transport& card_;
    Bytes store_data_;
    bool after_authenticate_server_ = false;
};

std::size_t es10_count(Card& c, tlv::Tag tag) {
    auto counters = c.card().counters();
    auto it = counters.es10.find(tag);
    return it == counters.es10.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("core: the transport's IMEI reaches deviceInfo when none is configured") {
    Server s;
    Card c;
    DeviceLink link(*c.transport);
    CardSession session(link);
    CurlServerConnector net(s.trust());
    s.order("MID-I1", "88449911223344556633");
    s.order("MID-I2", "88449911223344556641");
    s.order("MID-I3", "88449911223344556658");

    link.imei = "490154203237518";  // a modem's IMEI (valid check digit)
    download(session, net, s.ac("MID-I1"));
    REQUIRE(link.authenticate_server);
    auto info = link.authenticate_server->ctx_params1.device_info;
    REQUIRE(info.imei);
    CHECK(to_hex(*info.imei) == to_hex(imei_bytes("490154203237518")));
    CHECK(to_hex(info.tac) == "49015420");

    // Configured (lpad.conf or the call's option) wins over the modem's.
    link.authenticate_server.reset();
    DownloadOptions o;
    o.device.imei = "356938035643809";
    download(session, net, s.ac("MID-I2"), o);
    REQUIRE(link.authenticate_server);
    CHECK(to_hex(link.authenticate_server->ctx_params1.device_info.tac) == "35693803");

    // A modem reporting garbage (wrong check digit): ignored, the default TAC and no IMEI go out.
    link.authenticate_server.reset();
    link.imei = "490154203237519";
    download(session, net, s.ac("MID-I3"));
    REQUIRE(link.authenticate_server);
    CHECK(!link.authenticate_server->ctx_params1.device_info.imei);
    CHECK(to_hex(link.authenticate_server->ctx_params1.device_info.tac) == "35290611");
    CHECK(c.iccids().size() == 3);
}

TEST_CASE("core: a malformed IMEI is refused before the SM-DP+ opens a session") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    s.order("MID-I4", "88449911223344556666");
    for (const char* imei : {"35693803564380", "356938035643808", "35693803564380912"}) {
        CAPTURE(imei);
        DownloadOptions o;
        o.device.imei = imei;
        CHECK(error_of([&] { download(*c.session, net, s.ac("MID-I4"), o); }) == Errc::InvalidArgument);
        CHECK(s.server->open_sessions() == 0);
        CHECK(es10_count(c, 0xBF2E) == 0);  // not even the card's challenge was asked for
    }
}

TEST_CASE("core: a failure after the card answered AuthenticateServer cancels the card's session") {
    Server s;
    Card c;
    DeviceLink link(*c.transport);
    CardSession session(link);
    CurlServerConnector net(s.trust());
    s.order("MID-L", "88449911223344556674");
    link.lose_authenticate_server_answer = true;
    CHECK(error_of([&] { download(session, net, s.ac("MID-L")); }) == Errc::TransportError);
    CHECK(!link.lose_authenticate_server_answer);  // the failure came where intended
    // The card was asked to end the session it held. The server, which has not seen the eUICC yet, could not
    // verify its signed answer (SGP.22 §5.6.5 checks it against CERT.EUICC from authenticateClient): it is not
    // sent, and the server's session expires on its own. The order was never bound to it.
    CHECK(es10_count(c, 0xBF41) == 1);
    CHECK(s.server->open_sessions() == 1);
    CHECK(s.state("MID-L") == OrderState::Released);
    download(session, net, s.ac("MID-L"));
    CHECK(c.iccids() == std::vector<std::string>{"88449911223344556674"});
}
