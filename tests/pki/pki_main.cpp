// SPDX-License-Identifier: Apache-2.0
// lpad-test-pki: writes a complete, self-consistent SGP.22 v2 test PKI (CI, EUM, eUICC, SM-DP+, SM-DS and
// negative-test certificates) into a directory, idempotently. See tests/pki/README.md.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <system_error>

#include <unistd.h>

#include <openssl/x509.h>

#include "libapdu/error.h"
#include "tests/pki/pki_layout.h"

namespace {

namespace fs = std::filesystem;
using lpad::Errc;
using lpad::testpki::Curve;
using lpad::testpki::PkiParams;
using nlohmann::json;

constexpr const char* kUsage =
    "usage: lpad-test-pki --out DIR [--eid EID] [--host NAME] [--smdp-oid OID] [--smds-oid OID]\n"
    "                     [--days N] [--curve nist|brp|both] [--force]\n"
    "Writes an SGP.22 v2 test PKI (SGP.26 layout) into DIR. An existing complete PKI with the same\n"
    "parameters is kept unless --force is given.\n";

struct Options {
    fs::path out;
    PkiParams params;
    bool force = false;
};

Options parse_args(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) lpad::fail(Errc::InvalidArgument, arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--out") {
            opt.out = value();
        } else if (arg == "--eid") {
            opt.params.eid = value();
        } else if (arg == "--host") {
            opt.params.host = value();
        } else if (arg == "--smdp-oid") {
            opt.params.smdp_oid = value();
        } else if (arg == "--smds-oid") {
            opt.params.smds_oid = value();
        } else if (arg == "--days") {
            std::string v = value();
            try {
                size_t used = 0;
                opt.params.days = std::stoi(v, &used);
                if (used != v.size()) throw std::invalid_argument(v);
            } catch (const std::exception&) {
                lpad::fail(Errc::InvalidArgument, "--days is not a number: " + v);
            }
        } else if (arg == "--curve") {
            std::string v = value();
            if (v == "nist") {
                opt.params.curves = {Curve::Nist};
            } else if (v == "brp") {
                opt.params.curves = {Curve::Brp};
            } else if (v == "both") {
                opt.params.curves = {Curve::Nist, Curve::Brp};
            } else {
                lpad::fail(Errc::InvalidArgument, "--curve must be nist, brp or both");
            }
        } else if (arg == "--force") {
            opt.force = true;
        } else if (arg == "-h" || arg == "--help") {
            std::cout << kUsage;
            std::exit(0);
        } else {
            lpad::fail(Errc::InvalidArgument, "unknown argument: " + arg);
        }
    }
    if (opt.out.empty()) lpad::fail(Errc::InvalidArgument, "--out DIR is required");
    lpad::testpki::validate(opt.params);
    return opt;
}

// True when the certificate file exists and stays valid for at least another day.
bool still_valid(const fs::path& der_path) {
    lpad::testpki::BioPtr bio(BIO_new_file(der_path.c_str(), "rb"));
    if (!bio) return false;
    lpad::testpki::X509Ptr cert(d2i_X509_bio(bio.get(), nullptr));
    if (!cert) return false;
    std::time_t tomorrow = std::time(nullptr) + 86400;
    return X509_cmp_time(X509_get0_notAfter(cert.get()), &tomorrow) > 0;
}

// The existing PKI can be kept: its manifest asks for the same parameters, names only files that exist, and
// none of its valid-by-design certificates is about to expire.
bool reusable(const fs::path& dir, const PkiParams& params, std::string& why) {
    std::ifstream in(dir / "pki.json");
    if (!in) return (why = "no pki.json"), false;
    json manifest = json::parse(in, nullptr, false);
    if (manifest.is_discarded() || !manifest.is_object()) return (why = "pki.json does not parse"), false;
    if (manifest.value("params", json()) != params.to_json()) return (why = "parameters differ"), false;
    for (const std::string& rel : lpad::testpki::manifest_files(manifest)) {
        if (!fs::is_regular_file(dir / rel)) return (why = "missing " + rel), false;
    }
    for (const auto& [curve, section] : manifest["curves"].items()) {
        for (const auto& [role, entry] : section.items()) {
            if (role == "bad" || !entry.contains("cert")) continue;
            if (!still_valid(dir / entry["cert"].get<std::string>())) {
                return (why = curve + " " + role + " expires"), false;
            }
        }
    }
    return true;
}

int run(const Options& opt) {
    const fs::path dir = fs::absolute(opt.out).lexically_normal();
    std::string why;
    if (!opt.force && reusable(dir, opt.params, why)) {
        std::cout << "lpad-test-pki: keeping the existing PKI in " << dir.string() << "\n";
        return 0;
    }
    // Never clobber a directory that isn't ours: it must be absent, empty, or hold a PKI (pki.json), or --force.
    if (fs::exists(dir) && !fs::is_empty(dir) && !fs::exists(dir / "pki.json") && !opt.force) {
        lpad::fail(Errc::InvalidArgument, dir.string() + " is not empty and holds no test PKI (use --force)");
    }
    // Build the new PKI beside the target and swap it in, so a reader never sees half a PKI.
    fs::path staging = dir.parent_path() / ("." + dir.filename().string() + ".tmp-" + std::to_string(getpid()));
    fs::remove_all(staging);
    fs::create_directories(staging);
    try {
        lpad::testpki::generate_pki(staging, opt.params);
        fs::remove_all(dir);
        fs::rename(staging, dir);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(staging, ignored);
        throw;
    }
    std::cout << "lpad-test-pki: wrote a new PKI to " << dir.string() << (why.empty() ? "" : " (" + why + ")")
              << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_args(argc, argv));
    } catch (const lpad::Error& e) {
        std::cerr << "lpad-test-pki: " << e.what() << "\n";
        if (e.code() == Errc::InvalidArgument) std::cerr << kUsage;
        return e.code() == Errc::InvalidArgument ? 2 : 1;
    } catch (const std::exception& e) {
        std::cerr << "lpad-test-pki: " << e.what() << "\n";
        return 1;
    }
}
