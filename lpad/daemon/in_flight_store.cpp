// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/in_flight_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "libapdu/error.h"
#include "lpad/daemon/file_retry_store.h"

namespace lpad::daemon {
namespace {

constexpr int kFormatVersion = 1;

std::optional<std::string> opt_string(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return j.at(key).get<std::string>();
}

}  // namespace

std::vector<InFlightRecord> InFlightStore::load() const {
    ::unlink(temp_path_for(path_).c_str());  // a crash before the rename: the complete file is the old one
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec) && !ec) return {};
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail(Errc::Unavailable, "cannot open " + path_ + ": " + std::strerror(errno));
    std::stringstream text;
    text << in.rdbuf();
    std::vector<InFlightRecord> out;
    try {
        auto j = nlohmann::json::parse(text.str());
        if (j.at("version").get<int>() != kFormatVersion)
            fail(Errc::MalformedData, path_ + ": unsupported version " + j.at("version").dump());
        const auto& list = j.at("downloads");
        if (!list.is_array()) fail(Errc::MalformedData, path_ + ": \"downloads\" is not an array");
        for (const auto& r : list) {
            InFlightRecord rec;
            rec.download.smdp_address = r.at("smdpAddress").get<std::string>();
            rec.download.transaction_id = r.at("transactionId").get<std::string>();
            rec.download.matching_id = opt_string(r, "matchingId");
            rec.download.smdp_oid = opt_string(r, "smdpOid");
            rec.download.iccid = r.at("iccid").get<std::string>();
            rec.download.confirmation_code_used = r.at("confirmationCodeUsed").get<bool>();
            rec.enable = r.at("enable").get<bool>();
            if (rec.download.smdp_address.empty() || rec.download.transaction_id.empty())
                fail(Errc::MalformedData, path_ + ": a download without SM-DP+ address or transactionId");
            out.push_back(std::move(rec));
        }
    } catch (const nlohmann::json::exception& e) {
        // The library's message may quote the text, which holds matching IDs: only the kind of error.
        fail(Errc::MalformedData, path_ + ": not a downloads file (JSON error " + std::to_string(e.id) + ")");
    }
    return out;
}

void InFlightStore::save(const std::vector<InFlightRecord>& records) const {
    if (records.empty()) {
        if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
            fail(Errc::Unavailable, "cannot remove " + path_ + ": " + std::strerror(errno));
        return;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : records) {
        const auto& d = r.download;
        list.push_back({{"smdpAddress", d.smdp_address}, {"transactionId", d.transaction_id},
                        {"matchingId", d.matching_id ? nlohmann::json(*d.matching_id) : nlohmann::json()},
                        {"smdpOid", d.smdp_oid ? nlohmann::json(*d.smdp_oid) : nlohmann::json()},
                        {"iccid", d.iccid}, {"confirmationCodeUsed", d.confirmation_code_used},
                        {"enable", r.enable}});
    }
    nlohmann::json doc = {{"version", kFormatVersion}, {"downloads", list}};
    write_file_atomically(path_, doc.dump(2) + "\n");
}

void InFlightStore::add(const InFlightRecord& record) {
    auto records = load();
    std::erase_if(records, [&](const InFlightRecord& r) {
        return r.download.transaction_id == record.download.transaction_id;
    });
    records.push_back(record);
    save(records);
}

void InFlightStore::remove(const std::string& transaction_id) {
    auto records = load();
    auto n = records.size();
    std::erase_if(records, [&](const InFlightRecord& r) { return r.download.transaction_id == transaction_id; });
    if (records.size() != n) save(records);
}

}  // namespace lpad::daemon
