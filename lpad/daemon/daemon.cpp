// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/daemon.h"

#include <csignal>
#include <cstring>
#include <filesystem>

#include "drivers/registry.h"
#include "libapdu/log.h"

#ifndef LPAD_VERSION
#define LPAD_VERSION "0.0.0"
#endif

namespace lpad::daemon {

ManagerObject::ManagerObject(sdbus::IConnection& connection, std::vector<sdbus::ObjectPath> euiccs)
    : AdaptorInterfaces(connection, kRootPath), euiccs_(std::move(euiccs)) {
    registerAdaptor();
}

ManagerObject::~ManagerObject() { unregisterAdaptor(); }

std::string ManagerObject::Version() { return LPAD_VERSION; }

namespace {
// One card entry per card: a URI naming several (pcsc:?reader=*) becomes one entry per eUICC found now. Nothing
// found (no eUICC, pcscd not running): the entry is kept as it is, one object that reads the first eUICC it finds.
std::vector<CardConfig> expand_cards(const std::vector<CardConfig>& cards) {
    std::vector<CardConfig> out;
    for (const auto& card : cards) {
        std::vector<std::string> uris = drivers::expand_uri(card.driver);
        if (uris.empty()) {
            log::warning("lpad", card.driver + ": no eUICC found now; serving it as one card, read when it appears");
            uris.push_back(card.driver);
        } else if (uris.size() > 1 || uris[0] != card.driver) {
            log::info("lpad", card.driver + ": " + std::to_string(uris.size()) + " eUICC(s)");
        }
        for (auto& uri : uris) {
            out.push_back(card);
            out.back().driver = std::move(uri);
        }
    }
    return out;
}
}  // namespace

Daemon::Daemon(const Config& config, const BusChoice& bus) {
    if (config.cards.empty()) fail(Errc::InvalidArgument, "no card configured ([[card]] or --card)");
    std::filesystem::create_directories(config.state_dir);
    switch (bus.kind) {
    case BusChoice::Kind::System: connection_ = sdbus::createSystemBusConnection(); break;
    case BusChoice::Kind::Session: connection_ = sdbus::createSessionBusConnection(); break;
    case BusChoice::Kind::Address: connection_ = sdbus::createSessionBusConnectionWithAddress(bus.address); break;
    }
    loop_ = std::make_unique<BusLoop>(*connection_);  // blocks SIGTERM/SIGINT before the workers start
    // A bundle that is not installed (a development tree) is skipped with a warning; none left is an error.
    core::TrustSettings trust = config.trust;
    for (std::string* bundle : {&trust.production_bundle, &trust.test_bundle}) {
        if (!bundle->empty() && !std::filesystem::exists(*bundle)) {
            log::warning("lpad", "trust bundle " + *bundle + " is not installed: skipped");
            bundle->clear();
        }
    }
    connector_ = std::make_unique<core::CurlServerConnector>(trust);
    log::info("lpad", std::to_string(connector_->anchor_count()) + " TLS trust anchor(s) loaded");
    AccessPolicy access{bus.kind != BusChoice::Kind::Session, "lpad"};
    std::vector<sdbus::ObjectPath> paths;
    const std::vector<CardConfig> cards = expand_cards(config.cards);
    for (unsigned i = 0; i < cards.size(); ++i) {
        ServiceContext ctx{*connection_, *loop_, *connector_, access, config.state_dir, config.consent_timeout,
                           config.download_timeout};
        euiccs_.push_back(std::make_unique<EuiccService>(ctx, i, cards[i]));
        paths.emplace_back(euiccs_.back()->path());
        log::info("lpad", euiccs_.back()->path() + ": " + cards[i].driver);
    }
    manager_ = std::make_unique<ManagerObject>(*connection_, paths);
    // CONVENTIONS: the name is requested only after every object is exported.
    connection_->requestName(kBusName);
}

Daemon::~Daemon() {
    for (auto& e : euiccs_) e->stop();
    euiccs_.clear();
    manager_.reset();
}

int Daemon::run() {
    for (auto& e : euiccs_) e->start();
    log::info("lpad", "serving " + kBusName);
    int sig = loop_->run();
    log::info("lpad", std::string("signal ") + (sig ? strsignal(sig) : "none") + ": stopping");
    for (auto& e : euiccs_) e->stop();
    try {
        connection_->releaseName(kBusName);
    } catch (const sdbus::Error&) {
    }
    return 0;
}

}  // namespace lpad::daemon
