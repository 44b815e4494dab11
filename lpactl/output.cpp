#include "lpactl/output.h"

#include <algorithm>
#include <sstream>

namespace lpactl {

const std::vector<Field> kChipFields = {
    {"euicc", "eUICC"},
    {"eid", "EID"},
    {"driver", "Driver"},
    {"status", "Status"},
    {"defaultSmdpAddress", "Default SM-DP+"},
    {"rootSmdsAddress", "Root SM-DS"},
    {"profileVersion", "Profile version"},
    {"svn", "SGP.22 version"},
    {"firmwareVersion", "Firmware version"},
    {"freeNonVolatileMemory", "Free NVM (bytes)"},
    {"freeVolatileMemory", "Free RAM (bytes)"},
    {"sasAccreditationNumber", "SAS accreditation"},
    {"ciPkids", "CI key ids"},
    {"profiles", "Profiles"},
    {"pendingNotifications", "Pending notifications"},
};
const std::vector<Field> kProfileFields = {
    {"iccid", "ICCID"}, {"state", "STATE"}, {"name", "NAME"}, {"serviceProvider", "PROVIDER"},
    {"nickname", "NICKNAME"}, {"class", "CLASS"}, {"isdpAid", "ISD-P AID"},
};
const std::vector<Field> kNotificationFields = {
    {"seqNumber", "SEQ"}, {"operation", "OPERATION"}, {"address", "ADDRESS"}, {"iccid", "ICCID"},
};
const std::vector<Field> kEventFields = {{"eventId", "EVENT ID"}, {"smdpAddress", "SM-DP+ ADDRESS"}};
const std::vector<Field> kOutcomeFields = {
    {"seqNumber", "SEQ"}, {"sent", "SENT"}, {"removed", "REMOVED"}, {"error", "ERROR"}};

namespace {
std::string text(const nlohmann::json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) out += (out.empty() ? "" : ", ") + text(e);
        return out;
    }
    return v.dump();
}
}  // namespace

std::string render_table(const std::vector<Field>& fields, const std::vector<Record>& rows) {
    std::vector<std::size_t> width;
    for (const auto& f : fields) {
        std::size_t w = f.header.size();
        for (const auto& r : rows) w = std::max(w, text(r.value(f.key, nlohmann::json())).size());
        width.push_back(w);
    }
    std::ostringstream out;
    auto line = [&](const std::function<std::string(std::size_t)>& cell) {
        std::string l;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            std::string c = cell(i);
            l += c + (i + 1 < fields.size() ? std::string(width[i] - c.size() + 2, ' ') : "");
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out << l << "\n";
    };
    line([&](std::size_t i) { return fields[i].header; });
    for (const auto& r : rows) line([&](std::size_t i) { return text(r.value(fields[i].key, nlohmann::json())); });
    return out.str();
}

std::string render_record(const std::vector<Field>& fields, const Record& record) {
    std::size_t w = 0;
    for (const auto& f : fields) w = std::max(w, f.header.size());
    std::ostringstream out;
    for (const auto& f : fields) {
        if (!record.contains(f.key)) continue;
        out << f.header << ":" << std::string(w - f.header.size() + 1, ' ') << text(record[f.key]) << "\n";
    }
    return out.str();
}

nlohmann::ordered_json to_json(const std::vector<Field>& fields, const Record& record) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& f : fields)
        if (record.contains(f.key)) out[f.key] = record[f.key];
    return out;
}

}  // namespace lpactl
