// SPDX-License-Identifier: Apache-2.0
#include "tests/smdpp/orders.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "libapdu/error.h"
#include "libapdu/identifiers.h"

namespace lpad::smdpp {

using Json = nlohmann::json;

std::string_view name(OrderState state) {
    switch (state) {
    case OrderState::Released: return "released";
    case OrderState::Downloaded: return "downloaded";
    case OrderState::Installed: return "installed";
    case OrderState::Failed: return "failed";
    case OrderState::Cancelled: return "cancelled";
    }
    return "unknown";
}

namespace {

std::string str(const Json& j, const char* field) {
    if (!j.contains(field) || !j[field].is_string())
        fail(Errc::InvalidArgument, std::string("order: '") + field + "' must be a string");
    return j[field].get<std::string>();
}

std::optional<std::string> opt_str(const Json& j, const char* field) {
    if (!j.contains(field) || j[field].is_null()) return std::nullopt;
    return str(j, field);
}

OrderState parse_state(const std::string& s) {
    for (auto st : {OrderState::Released, OrderState::Downloaded, OrderState::Installed, OrderState::Failed,
                    OrderState::Cancelled})
        if (name(st) == s) return st;
    fail(Errc::InvalidArgument, "order: unknown state '" + s + "'");
}

es10::ProfileClass parse_class(const std::string& s) {
    for (auto c : {es10::ProfileClass::test, es10::ProfileClass::provisioning, es10::ProfileClass::operational})
        if (es10::name(c) == s) return c;
    fail(Errc::InvalidArgument, "order: unknown class '" + s + "'");
}

const std::vector<std::string>& event_names() {
    static const std::vector<std::string> names{"install", "enable", "disable", "delete"};
    return names;
}

}  // namespace

Order Order::from_json(const Json& j, const std::string& base_dir) {
    if (!j.is_object()) fail(Errc::InvalidArgument, "order: must be a JSON object");
    Order o;
    o.matching_id = str(j, "matchingId");
    if (o.matching_id.empty()) fail(Errc::InvalidArgument, "order: empty matchingId");
    o.profile_path = str(j, "profile");
    if (!base_dir.empty() && std::filesystem::path(o.profile_path).is_relative())
        o.profile_path = (std::filesystem::path(base_dir) / o.profile_path).string();
    o.iccid = str(j, "iccid");
    iccid_to_bcd(o.iccid);  // validates
    o.confirmation_code = opt_str(j, "confirmationCode");
    if (j.contains("maxConfirmationAttempts")) o.max_confirmation_attempts = j["maxConfirmationAttempts"].get<int>();
    if (o.max_confirmation_attempts < 1) fail(Errc::InvalidArgument, "order: maxConfirmationAttempts must be >= 1");
    o.confirmation_attempts_left = o.max_confirmation_attempts;
    if (j.contains("confirmationAttemptsLeft")) o.confirmation_attempts_left = j["confirmationAttemptsLeft"].get<int>();
    o.eid = opt_str(j, "eid");
    if (o.eid) eid_from_string(*o.eid);  // validates
    o.name = opt_str(j, "name");
    o.provider = opt_str(j, "provider");
    if (auto c = opt_str(j, "class")) o.profile_class = parse_class(*c);
    o.nickname = opt_str(j, "nickname");
    if (j.contains("ppr")) {
        for (const auto& p : j["ppr"]) {
            std::string s = p.get<std::string>();
            if (s == "ppr1") o.ppr.set(static_cast<std::size_t>(es10::PprId::ppr1));
            else if (s == "ppr2") o.ppr.set(static_cast<std::size_t>(es10::PprId::ppr2));
            else if (s == "pprUpdateControl") o.ppr.set(static_cast<std::size_t>(es10::PprId::pprUpdateControl));
            else fail(Errc::InvalidArgument, "order: unknown PPR '" + s + "'");
        }
    }
    if (j.contains("notifications")) {
        o.notifications.clear();
        for (const auto& n : j["notifications"]) {
            std::string s = n.get<std::string>();
            if (std::find(event_names().begin(), event_names().end(), s) == event_names().end())
                fail(Errc::InvalidArgument, "order: unknown notification event '" + s + "'");
            o.notifications.push_back(s);
        }
    }
    if (auto st = opt_str(j, "state")) o.state = parse_state(*st);
    o.last_cancel_reason = opt_str(j, "lastCancelReason");
    return o;
}

Json Order::to_json() const {
    Json j{{"matchingId", matching_id}, {"profile", profile_path}, {"iccid", iccid},
           {"state", std::string(smdpp::name(state))}, {"confirmationAttemptsLeft", confirmation_attempts_left},
           {"maxConfirmationAttempts", max_confirmation_attempts}, {"notifications", notifications}};
    if (confirmation_code) j["confirmationCode"] = *confirmation_code;
    if (eid) j["eid"] = *eid;
    if (name) j["name"] = *name;
    if (provider) j["provider"] = *provider;
    if (profile_class) j["class"] = std::string(es10::name(*profile_class));
    if (nickname) j["nickname"] = *nickname;
    if (last_cancel_reason) j["lastCancelReason"] = *last_cancel_reason;
    Json ppr_list = Json::array();
    for (auto [bit, label] : {std::pair{es10::PprId::pprUpdateControl, "pprUpdateControl"},
                              std::pair{es10::PprId::ppr1, "ppr1"}, std::pair{es10::PprId::ppr2, "ppr2"}})
        if (ppr.test(static_cast<std::size_t>(bit))) ppr_list.push_back(label);
    if (!ppr_list.empty()) j["ppr"] = ppr_list;
    return j;
}

Event Event::from_json(const Json& j) {
    if (!j.is_object()) fail(Errc::InvalidArgument, "event: must be a JSON object");
    Event e{str(j, "eid"), str(j, "eventId"), str(j, "rspServerAddress")};
    eid_from_string(e.eid);
    if (e.event_id.empty() || e.rsp_server_address.empty())
        fail(Errc::InvalidArgument, "event: empty eventId or rspServerAddress");
    return e;
}

Json Event::to_json() const { return {{"eid", eid}, {"eventId", event_id}, {"rspServerAddress", rsp_server_address}}; }

Json ReceivedNotification::to_json() const {
    return {{"kind", kind}, {"transactionId", transaction_id}, {"seqNumber", seq_number}, {"operation", operation},
            {"iccid", iccid}, {"verified", verified}, {"success", success}, {"detail", detail}};
}

std::vector<Order> load_orders(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail(Errc::NotFound, "orders: cannot read " + path);
    Json j;
    try {
        j = Json::parse(in);
    } catch (const Json::exception& e) {
        fail(Errc::InvalidArgument, "orders: " + path + ": " + e.what());
    }
    if (!j.is_array()) fail(Errc::InvalidArgument, "orders: " + path + " must hold a JSON array");
    std::string base = std::filesystem::path(path).parent_path().string();
    std::vector<Order> out;
    for (const auto& o : j) {
        try {
            out.push_back(Order::from_json(o, base));
        } catch (const Json::exception& e) {
            fail(Errc::InvalidArgument, std::string("order: ") + e.what());
        }
    }
    return out;
}

}  // namespace lpad::smdpp
