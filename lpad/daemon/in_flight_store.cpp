// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/in_flight_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
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

// A string member (required) or an optional one (absent or null); any other type is MalformedData.
std::string string_at(const nlohmann::json& r, const char* key, const std::string& origin) {
    auto it = r.find(key);
    if (it == r.end() || !it->is_string())
        fail(Errc::MalformedData, origin + ": a download without a string \"" + key + "\"");
    return it->get<std::string>();
}

std::optional<std::string> opt_string(const nlohmann::json& r, const char* key, const std::string& origin) {
    auto it = r.find(key);
    if (it == r.end() || it->is_null()) return std::nullopt;
    return string_at(r, key, origin);
}

bool bool_at(const nlohmann::json& r, const char* key, const std::string& origin) {
    auto it = r.find(key);
    if (it == r.end() || !it->is_boolean())
        fail(Errc::MalformedData, origin + ": a download without a boolean \"" + key + "\"");
    return it->get<bool>();
}

}  // namespace

bool InFlightRecord::operator==(const InFlightRecord& o) const {
    const auto& a = download;
    const auto& b = o.download;
    return a.smdp_address == b.smdp_address && a.transaction_id == b.transaction_id && a.matching_id == b.matching_id &&
           a.smdp_oid == b.smdp_oid && a.iccid == b.iccid && a.confirmation_code_used == b.confirmation_code_used &&
           enable == o.enable;
}

std::vector<InFlightRecord> parse_in_flight(std::string_view text, const std::string& origin) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        // The library's message may quote the text, which holds matching IDs: only the kind of error.
        fail(Errc::MalformedData, origin + ": not a downloads file (JSON error " + std::to_string(e.id) + ")");
    }
    if (!j.is_object()) fail(Errc::MalformedData, origin + ": not a downloads file (not a JSON object)");
    auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer() || version->get<std::int64_t>() != kFormatVersion)
        fail(Errc::MalformedData, origin + ": missing or unsupported \"version\" (this lpad reads " +
                                      std::to_string(kFormatVersion) + ")");
    auto list = j.find("downloads");
    if (list == j.end() || !list->is_array()) fail(Errc::MalformedData, origin + ": \"downloads\" is not an array");
    std::vector<InFlightRecord> out;
    for (const auto& r : *list) {
        if (!r.is_object()) fail(Errc::MalformedData, origin + ": a download that is not a JSON object");
        InFlightRecord rec;
        rec.download.smdp_address = string_at(r, "smdpAddress", origin);
        rec.download.transaction_id = string_at(r, "transactionId", origin);
        rec.download.matching_id = opt_string(r, "matchingId", origin);
        rec.download.smdp_oid = opt_string(r, "smdpOid", origin);
        rec.download.iccid = string_at(r, "iccid", origin);
        rec.download.confirmation_code_used = bool_at(r, "confirmationCodeUsed", origin);
        rec.enable = bool_at(r, "enable", origin);
        if (rec.download.smdp_address.empty() || rec.download.transaction_id.empty())
            fail(Errc::MalformedData, origin + ": a download without SM-DP+ address or transactionId");
        out.push_back(std::move(rec));
    }
    return out;
}

std::string format_in_flight(const std::vector<InFlightRecord>& records) {
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
    try {
        return doc.dump(2) + "\n";
    } catch (const nlohmann::json::exception& e) {  // a string that is not UTF-8 (type_error 316)
        fail(Errc::InvalidArgument, "a download in flight with a field that is not UTF-8 (JSON error " +
                                        std::to_string(e.id) + ")");
    }
}

std::vector<InFlightRecord> InFlightStore::load() const {
    ::unlink(temp_path_for(path_).c_str());  // a crash before the rename: the complete file is the old one
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec) && !ec) return {};
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail(Errc::Unavailable, "cannot open " + path_ + ": " + std::strerror(errno));
    std::stringstream text;
    text << in.rdbuf();
    return parse_in_flight(text.str(), path_);
}

void InFlightStore::save(const std::vector<InFlightRecord>& records) const {
    if (records.empty()) {
        if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
            fail(Errc::Unavailable, "cannot remove " + path_ + ": " + std::strerror(errno));
        return;
    }
    write_file_atomically(path_, format_in_flight(records));
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
