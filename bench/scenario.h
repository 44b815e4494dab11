// SPDX-License-Identifier: Apache-2.0
// The measured scenario: the virtual eUICC (in memory, test PKI) and the test SM-DP+ (tests/smdpp) on 127.0.0.1
// over verified HTTPS, in this process. One run = a fresh card, then three phases, each in its own ISD-R session
// as a command-line LPA would do them: download (a fresh order), list profiles, enable (and its notification).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "bench/apdu_recorder.h"
#include "drivers/virtual/knobs.h"
#include "lpad/core/server_connector.h"

namespace lpad::smdpp {
class SmdpServer;
class HttpsFrontEnd;
}  // namespace lpad::smdpp

namespace lpad::bench {

struct RunSettings {
    unsigned latency_ms = 0;     // virtual card knob: added before every APDU
    std::string profile_path;    // the UPP (SAIP DER) the order serves
    std::size_t block = 255;     // STORE DATA block (Es10Options::store_data_block)
    bool explicit_le = true;     // Es10Options::explicit_le (lpad's default: CardOptions)
    // Empty: a new in-memory virtual eUICC for each run (`latency_ms` applies). Otherwise the driver URI of the card
    // to use instead, e.g. "pcsc:reader=Virtual PCD" for the virtual eUICC behind pcscd and vpcd (lpad-vpcd-bridge):
    // the same card for every run, the card figures counted on the LPA side, `latency_ms` not applied.
    std::string card_uri;
};

// What one phase cost.
struct PhaseFigures {
    std::string phase;
    virtual_euicc::Counters card;     // the card's own counters (APDUs by kind, bytes)
    ApduTally tally;                  // the same traffic as seen by the LPA side
    std::vector<Es10Exchange> es10;   // every ES10 function, in order
    core::ConnectorStats http;        // this phase only
    double wall_ms = 0;
    long peak_rss_kib = 0;            // getrusage ru_maxrss after the phase (process peak so far)
};

class Environment {
public:
    // Starts the SM-DP+ on a free loopback port. Throws lpad::Error.
    explicit Environment(std::string pki_dir);
    ~Environment();
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    // One run on a fresh card. Throws lpad::Error on any functional failure (also when the profile is not
    // listed or not enabled afterwards).
    std::vector<PhaseFigures> run(const RunSettings& settings);

private:
    std::string pki_dir_;
    std::unique_ptr<smdpp::SmdpServer> server_;
    std::unique_ptr<smdpp::HttpsFrontEnd> front_;
    std::unique_ptr<core::CurlServerConnector> connector_;
    std::string address_;
    unsigned orders_ = 0;
};

}  // namespace lpad::bench
