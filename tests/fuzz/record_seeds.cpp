// SPDX-License-Identifier: Apache-2.0
// lpad-fuzz-record: records fuzz seeds from real sessions, so the fuzz targets mutate messages of the size and
// shape attackers and cards really send (issue 12). In this process: the virtual eUICC (test PKI, real SGP.22
// crypto) and the test SM-DP+ (tests/smdpp) over verified HTTPS on loopback, driven by lpad's core flows.
//
//   lpad-fuzz-record --pki DIR --upp FILE --out CORPUS_DIR [--data DATA_DIR]
//
// Phase 1 (setup): download and enable profile A without sending its notifications; the card's state then is the
// fuzz fixture (DATA_DIR/euicc_state.json, tests/fuzz/virtual_euicc_fixture.h; DATA_DIR/recorded_ci.der is the CI
// the recorded chains end at, a root of fuzz_x509). Phase 2 (recorded): download
// profile B with a confirmation code, list profiles, enable B, deliver every pending notification (signed PIRs),
// disable and delete B. Everything crossing the card link (APDUs, ES10 commands) and the network (ES9+ JSON) in
// phase 2 is written as seeds CORPUS_DIR/<target>/rec_*. Keys and challenges are random, so the bytes differ from
// run to run; names, shapes and sizes do not. Files named rec_* are replaced; others are left alone.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "drivers/registry.h"
#include "drivers/virtual/euicc.h"
#include "drivers/virtual/euicc_factory.h"
#include "drivers/virtual/virtual_transport.h"
#include "libapdu/crypto.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libapdu/tlv.h"
#include "libapdu/x509.h"
#include "libfile/file.h"
#include "lpad/core/card.h"
#include "lpad/core/download.h"
#include "lpad/core/notifications.h"
#include "lpad/daemon/file_retry_store.h"
#include "tests/smdpp/https_front.h"
#include "tests/smdpp/smdp_server.h"

namespace {

using namespace lpad;
namespace fs = std::filesystem;

const std::string kHost = "testsmdpplus1.example.com";

struct Recording {
    std::vector<std::pair<Bytes, Bytes>> es10;   // (command, reply data || SW) in order
    std::vector<std::pair<Bytes, Bytes>> apdus;  // (command APDU, response APDU)
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> http;  // (path, (request, response))
    bool on = false;
};
Recording rec;
std::mutex rec_mutex;

// Between the card's APDU layer and its eUICC application: every complete ES10 command and its answer.
class RecordingHandler final : public virtual_euicc::Es10Handler {
public:
    explicit RecordingHandler(std::unique_ptr<virtual_euicc::Es10Handler> inner) : inner_(std::move(inner)) {}
    virtual_euicc::Es10Reply handle(std::uint8_t channel, ByteView command) override {
        auto reply = inner_->handle(channel, command);
        std::lock_guard lock(rec_mutex);
        if (rec.on) {
            Bytes answer = reply.data;
            answer.push_back(static_cast<std::uint8_t>(reply.sw >> 8));
            answer.push_back(static_cast<std::uint8_t>(reply.sw));
            rec.es10.emplace_back(Bytes(command.begin(), command.end()), std::move(answer));
        }
        return reply;
    }
    void session_reset(std::uint8_t channel) override { inner_->session_reset(channel); }

private:
    std::unique_ptr<virtual_euicc::Es10Handler> inner_;
};

// The LPA's side of the card link: every APDU and its response (logical channels go through transmit()).
class RecordingTransport final : public ApduTransport {
public:
    explicit RecordingTransport(Transport& inner) : inner_(inner) {}
    void open() override { inner_.open(); }
    void close() noexcept override { inner_.close(); }
    Bytes transmit(ByteView command) override {
        Bytes r = inner_.transmit(command);
        std::lock_guard lock(rec_mutex);
        if (rec.on) rec.apdus.emplace_back(Bytes(command.begin(), command.end()), r);
        return r;
    }
    TransportLimits limits() const override { return inner_.limits(); }

private:
    Transport& inner_;
};

class RecordingClient final : public es9p::HttpClient {
public:
    explicit RecordingClient(std::unique_ptr<es9p::HttpClient> inner) : inner_(std::move(inner)) {}
    es9p::HttpResponse post(const es9p::HttpRequest& request) override {
        auto r = inner_->post(request);
        std::lock_guard lock(rec_mutex);
        if (rec.on) {
            std::string path = request.url.substr(request.url.find('/', 8) + 1);
            std::replace(path.begin(), path.end(), '/', '_');
            rec.http.push_back({path, {request.body, r.body}});
        }
        return r;
    }

private:
    std::unique_ptr<es9p::HttpClient> inner_;
};

class RecordingConnector final : public core::ServerConnector {
public:
    explicit RecordingConnector(core::ServerConnector& inner) : inner_(inner) {}
    std::unique_ptr<es9p::HttpClient> connect(const std::string& address) override {
        return std::make_unique<RecordingClient>(inner_.connect(address));
    }

private:
    core::ServerConnector& inner_;
};

class Writer {
public:
    explicit Writer(fs::path root) : root_(std::move(root)) {}
    void clear_recorded() {
        if (!fs::is_directory(root_)) return;
        for (const auto& dir : fs::directory_iterator(root_))
            if (dir.is_directory())
                for (const auto& f : fs::directory_iterator(dir.path()))
                    if (f.path().filename().string().rfind("rec_", 0) == 0) fs::remove(f.path());
    }
    void put(const std::string& target, const std::string& name, ByteView data) {
        fs::create_directories(root_ / target);
        std::ofstream out(root_ / target / ("rec_" + name), std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
        if (!out) fail(Errc::Internal, "cannot write " + (root_ / target / name).string());
        ++count_;
    }
    void put(const std::string& target, const std::string& name, const std::string& text) {
        put(target, name, as_bytes(text));
    }
    std::size_t count() const { return count_; }

private:
    fs::path root_;
    std::size_t count_ = 0;
};

void append_u16(Bytes& out, std::size_t n) {
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
}

// The decoders a given ES10 tag belongs to (tests/fuzz/fuzz_es10b.cpp, fuzz_es10c.cpp, fuzz_euicc_info.cpp).
std::string target_for(tlv::Tag tag) {
    switch (tag) {
    case 0xBF20: case 0xBF22: return "euicc_info";
    case 0xBF2D: case 0xBF31: case 0xBF32: case 0xBF33: case 0xBF34: case 0xBF3C: case 0xBF3E: case 0xBF3F:
    case 0xBF29: case 0xBF64: return "es10c";
    default: return "es10b";
    }
}

std::string iccid_for(unsigned n) {  // doubled digit pairs: see bench/scenario.cpp
    std::string s = "8844991122334455";
    for (unsigned d : {n / 10 % 10, n % 10}) s.append(2, static_cast<char>('0' + d));
    return s;
}

int run(const std::string& pki, const std::string& upp, const fs::path& out_dir, const fs::path& data_dir) {
    virtual_euicc::EuiccFactory inner = virtual_euicc::euicc_factory();
    virtual_euicc::EuiccFactory wrapped{[inner](const drivers::DriverUri& uri) -> std::unique_ptr<virtual_euicc::Es10Handler> {
                                            return std::make_unique<RecordingHandler>(inner.create(uri));
                                        },
                                        inner.params};
    virtual_euicc::set_euicc_factory(wrapped);

    smdpp::ServerOptions o;
    o.address = kHost + ":0";
    smdpp::SmdpServer server(smdpp::ServerPki::load({pki}), o);
    smdpp::HttpsFrontEnd front(server, "127.0.0.1", 0);
    const std::string address = kHost + ":" + std::to_string(front.port());
    server.set_address(address);
    front.start();

    core::TrustSettings t;
    t.production_bundle.clear();
    t.test_bundle = pki + "/trust/test-ci.pem";
    t.allow_test_ci = true;
    t.resolve = {address + ":127.0.0.1"};
    core::CurlServerConnector curl(t);
    RecordingConnector connector(curl);

    const fs::path tmp = fs::temp_directory_path() / ("lpad-fuzz-record-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    const std::string state = (tmp / "state.json").string();
    auto transport = drivers::create_transport("virtual:" + state + "?pki=" + pki);
    RecordingTransport link(*transport);
    core::CardOptions options;
    options.es10.store_data_block = 240;  // APDUs fit fuzz_virtual_card's one-byte lengths
    core::CardSession card(link, options);

    auto order = [&](unsigned n, std::optional<std::string> cc) {
        smdpp::Order ord;
        ord.matching_id = "FUZZ-" + std::to_string(n);
        ord.profile_path = upp;
        ord.iccid = iccid_for(n);
        ord.name = "Fuzz seed " + std::to_string(n);
        ord.provider = "lpad fuzz";
        ord.confirmation_code = cc;
        server.add_order(ord);
        return ord;
    };
    core::DownloadOptions no_notify;
    no_notify.send_notifications = false;

    // Phase 1: the fixture card.
    auto a = order(1, std::nullopt);
    card.open();
    core::download(card, connector, "LPA:1$" + address + "$" + a.matching_id, no_notify);
    card.enable(es10::ProfileIdentifier::from_iccid(iccid_to_bcd(a.iccid)), false);
    card.close();
    transport->close();
    fs::create_directories(data_dir);
    fs::copy_file(state, data_dir / "euicc_state.json", fs::copy_options::overwrite_existing);
    // The CI of this PKI, a trust root of fuzz_x509 (the recorded chains end there).
    fs::copy_file(pki + "/CertificateIssuer/CERT_CI_ECDSA_NIST.der", data_dir / "recorded_ci.der",
                  fs::copy_options::overwrite_existing);

    // Phase 2: recorded.
    Writer w(out_dir);
    w.clear_recorded();
    {
        std::lock_guard lock(rec_mutex);
        rec.on = true;
    }
    auto b = order(2, std::string("4711"));
    const Bytes iccid_b = iccid_to_bcd(b.iccid);
    card.open();
    core::DownloadOptions with_cc = no_notify;
    with_cc.confirmation_code = "4711";
    core::download(card, connector, "LPA:1$" + address + "$" + b.matching_id + "$$1", with_cc);
    (void)card.profiles();
    card.enable(es10::ProfileIdentifier::from_iccid(iccid_b), false);
    card.close();
    card.open();
    core::NotificationSender sender(connector);
    for (const auto& outcome : sender.process(card))
        if (!outcome.sent || !outcome.removed)
            fail(Errc::Internal, "notification " + std::to_string(outcome.seq_number) + ": " + outcome.message);
    card.disable(es10::ProfileIdentifier::from_iccid(iccid_b), false);
    card.delete_profile(es10::ProfileIdentifier::from_iccid(iccid_b));
    (void)card.list_notifications();
    (void)card.retrieve_notifications();
    card.close();
    transport->close();
    front.stop();
    {
        std::lock_guard lock(rec_mutex);
        rec.on = false;
    }

    // ES10 commands and answers, per decoder; the whole sequence for the eUICC targets.
    Bytes euicc_stream{0x00};
    Bytes es10_answers;
    int i = 0;
    for (const auto& [cmd, answer] : rec.es10) {
        tlv::Tag tag = tlv::parse_header(cmd, tlv::Mode::Ber).tag;
        char name[64];
        std::snprintf(name, sizeof name, "%02d_%s", i++, tlv::tag_name(tag).c_str());
        w.put(target_for(tag), std::string(name) + "_command", cmd);
        if (answer.size() > 2)
            w.put(target_for(tag), std::string(name) + "_response", ByteView(answer).first(answer.size() - 2));
        append_u16(euicc_stream, cmd.size());
        euicc_stream.insert(euicc_stream.end(), cmd.begin(), cmd.end());
    }
    w.put("virtual_euicc", "session", euicc_stream);

    // APDUs: the virtual card (1-byte lengths), the vpcd stream, and the answers for the ES10 client.
    Bytes card_stream{0xFF, 0x00, 0x03};  // whole answers, 255-byte blocks, 4 channels, no fault
    Bytes vpcd_stream{0xFF, 0x00, 0x01, 0x01, 0x00, 0x01, 0x04};  // power on, get ATR
    Bytes client_answers{0xF9, 0x10};  // 255-byte blocks, 256-byte request, no Le
    for (const auto& [cmd, resp] : rec.apdus) {
        if (cmd.size() > 255) fail(Errc::Internal, "an APDU above 255 bytes: lower the block size");
        card_stream.push_back(static_cast<std::uint8_t>(cmd.size()));
        card_stream.insert(card_stream.end(), cmd.begin(), cmd.end());
        append_u16(vpcd_stream, cmd.size());
        vpcd_stream.insert(vpcd_stream.end(), cmd.begin(), cmd.end());
        append_u16(client_answers, resp.size());
        client_answers.insert(client_answers.end(), resp.begin(), resp.end());
    }
    w.put("virtual_card", "session", card_stream);
    w.put("vpcd", "session", vpcd_stream);
    w.put("es10_client", "session_answers", client_answers);

    // ES9+ JSON both ways; the Bound Profile Package; its segments for BSP.
    i = 0;
    for (const auto& [path, bodies] : rec.http) {
        char name[96];
        std::snprintf(name, sizeof name, "%02d_%s", i++, path.c_str());
        if (!bodies.first.empty()) w.put("es9p_json", std::string(name) + "_request", bodies.first);
        if (!bodies.second.empty()) w.put("es9p_json", std::string(name) + "_response", bodies.second);
        if (path.find("getBoundProfilePackage") != std::string::npos) {
            auto j = nlohmann::json::parse(bodies.second);
            Bytes bpp = base64_decode(j.at("boundProfilePackage").get<std::string>());
            w.put("bpp", "bound_profile_package.der", bpp);
            Bytes segments{0x02};  // raw stream, expect encrypted
            for (const auto& piece : tlv::parse_one(bpp, tlv::Mode::Ber).children())
                if (piece.tag == 0xA3)
                    for (const auto& seg : piece.children()) segments.insert(segments.end(), seg.raw.begin(), seg.raw.end());
            w.put("bsp", "profile_element_segments", segments);
        }
    }
    Bytes upp_bytes = file::read(upp);
    Bytes protect{0x01, 0x00, 0xFF, 0xFF};  // 86 segment, nothing flipped, the first kilobyte of a real profile
    protect.insert(protect.end(), upp_bytes.begin(), upp_bytes.begin() + std::min<std::size_t>(1020, upp_bytes.size()));
    w.put("bsp", "protect_profile_elements", protect);

    // Certificates and keys of the PKI the session used: single, PEM, bundle, chains; the keys and signatures.
    auto cert = [&](const std::string& rel) { return file::certificate(pki + "/" + rel); };
    const auto euicc = cert("eUICC/CERT_EUICC_ECDSA_NIST.der");
    const auto eum = cert("EUM/CERT_EUM_ECDSA_NIST.der");
    const auto dpauth = cert("DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der");
    const auto dppb = cert("DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der");
    const auto dptls = cert("DPtls/CERT_S_SM_DP_TLS_NIST.der");
    auto with = [](std::uint8_t mode, ByteView first, ByteView second = {}) {
        Bytes v{mode};
        v.insert(v.end(), first.begin(), first.end());
        v.insert(v.end(), second.begin(), second.end());
        return v;
    };
    w.put("x509", "euicc_der", with(0x00, euicc.der()));
    w.put("x509", "dptls_pem", with(0x01, file::read(pki + "/DPtls/CERT_S_SM_DP_TLS_NIST.pem")));
    w.put("x509", "test_ci_bundle", with(0x02, file::read(pki + "/trust/test-ci.pem")));
    w.put("x509", "chain_euicc_eum", with(0x03 | 0x08 | (1 << 4), euicc.der(), eum.der()));
    w.put("x509", "chain_dpauth", with(0x03 | 0x08 | (4 << 4), dpauth.der()));
    w.put("x509", "chain_dppb", with(0x03 | 0x08 | (5 << 4), dppb.der()));
    w.put("x509", "chain_dptls_time", with(0x03 | 0x04, dptls.der()));
    w.put("crypto", "spki_euicc", with(0x00, euicc.public_key().to_der()));
    w.put("crypto", "point_dpauth", with(0x02, dpauth.public_key().point()));
    const auto sk = file::private_key(pki + "/eUICC/SK_EUICC_ECDSA_NIST.pem");
    const std::string text = "euiccSigned1 stand-in: signed by the eUICC key";
    const Bytes message(text.begin(), text.end());
    const Bytes rs = crypto::sign(sk, message);
    w.put("crypto", "ecdsa_der", with(0x03, crypto::rs_to_der(rs)));
    w.put("crypto", "ecdsa_rs", with(0x04, rs));
    Bytes verify_input{0x05, 65};
    const Bytes point = sk.public_point();
    verify_input.insert(verify_input.end(), point.begin(), point.end());
    verify_input.insert(verify_input.end(), rs.begin(), rs.end());
    verify_input.insert(verify_input.end(), message.begin(), message.end());
    w.put("crypto", "verify_euicc", verify_input);
    w.put("crypto", "private_key_pem", with(0x06, file::read(pki + "/eUICC/SK_EUICC_ECDSA_NIST.pem")));

    // Files on disk: the card's state after the session, a retry schedule, the trust bundles.
    w.put("virtual_state", "after_session.json", file::read(state));
    w.put("virtual_state", "fixture.json", file::read((data_dir / "euicc_state.json").string()));
    daemon::FileRetryStore store((tmp / "retries.json").string());
    store.save({{7, address, 2, 1767225600, "HttpError: connection refused"}, {9, "smdp.example.com", 0, 0, ""}});
    w.put("file_retry_store", "two_records.json", file::read(store.path()));
    w.put("trust", "test_ci.pem", file::read(pki + "/trust/test-ci.pem"));
    fs::remove_all(tmp);
    std::printf("recorded %zu seeds: %zu ES10 commands, %zu APDUs, %zu HTTP exchanges\n", w.count(), rec.es10.size(),
                rec.apdus.size(), rec.http.size());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> args;
    for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
    if (!args.count("--pki") || !args.count("--upp") || !args.count("--out")) {
        std::fprintf(stderr, "usage: %s --pki DIR --upp FILE --out CORPUS_DIR [--data DATA_DIR]\n", argv[0]);
        return 2;
    }
    try {
        return run(args["--pki"], args["--upp"], args["--out"],
                   args.count("--data") ? args["--data"] : (fs::path(args["--out"]) / ".." / "data").string());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lpad-fuzz-record: %s\n", e.what());
        return 1;
    }
}
