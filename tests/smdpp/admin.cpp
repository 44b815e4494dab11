// SPDX-License-Identifier: Apache-2.0
// The admin interface of the test SM-DP+ (loopback only): orders, SM-DS events, faults, received notifications.
//   GET /admin/orders | /admin/events | /admin/faults | /admin/notifications  -> JSON array
//     an order's "lastCancelReason": the reason of its last verified cancelSession by its SGP.22 name (orders.h)
//   POST /admin/orders   an order object or an array of them (orders.h)
//   POST /admin/events   {eid, eventId, rspServerAddress} or an array
//   POST /admin/faults   {"fault": "SPEC"} or {"faults": ["SPEC", ...]} (faults.h);  DELETE /admin/faults clears
// POST answers {"ok": true, "count": N}; any error {"error": "..."} with 400 (bad JSON or item: nothing is
// changed), 404 (unknown resource) or 405; callers not on loopback get 403 (SmdpServer::handle).
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "libapdu/error.h"
#include "tests/smdpp/smdp_internal.h"

namespace lpad::smdpp {

using Json = nlohmann::json;

namespace {

HttpReply reply(int status, const Json& body) {
    return HttpReply{status, body.dump(), std::string(kJsonContentType), false};
}
HttpReply error(int status, const std::string& message) { return reply(status, Json{{"error", message}}); }

template <class F>
void each(const Json& body, F f) {
    if (body.is_array())
        for (const auto& item : body) f(item);
    else
        f(body);
}

}  // namespace

HttpReply SmdpServer::admin(const HttpCall& call) {
    std::string what = call.path.substr(7);  // after "/admin/"
    {
        std::lock_guard lock(mutex_);
        expire_sessions();  // so that GET orders shows expired sessions' orders free
    }
    try {
        if (call.method == "GET") {
            Json out = Json::array();
            if (what == "orders")
                for (const auto& o : orders()) out.push_back(o.to_json());
            else if (what == "events")
                for (const auto& e : events()) out.push_back(e.to_json());
            else if (what == "notifications")
                for (const auto& n : notifications()) out.push_back(n.to_json());
            else if (what == "faults") {
                std::lock_guard lock(mutex_);
                for (const auto& f : faults_.list()) out.push_back(f.to_string());
            } else
                return error(404, "unknown admin resource " + what);
            return reply(200, out);
        }
        if (what != "orders" && what != "events" && what != "faults" && what != "notifications")
            return error(404, "unknown admin resource " + what);
        if (call.method == "DELETE" && what == "faults") {
            clear_faults();
            return reply(200, Json{{"ok", true}});
        }
        if (call.method != "POST" || what == "notifications") return error(405, "method not allowed");
        Json body = Json::parse(call.body);
        // Everything is parsed and checked first: a bad item anywhere changes nothing.
        if (what == "orders") {
            std::vector<Order> orders;
            each(body, [&](const Json& o) { orders.push_back(Order::from_json(o, "")); });
            for (const auto& o : orders)
                if (!std::filesystem::is_regular_file(o.profile_path))
                    fail(Errc::InvalidArgument, "order " + o.matching_id + ": no profile package at " + o.profile_path);
            for (auto& o : orders) add_order(std::move(o));
            return reply(200, Json{{"ok", true}, {"count", orders.size()}});
        }
        if (what == "events") {
            std::vector<Event> events;
            each(body, [&](const Json& e) { events.push_back(Event::from_json(e)); });
            for (auto& e : events) add_event(std::move(e));
            return reply(200, Json{{"ok", true}, {"count", events.size()}});
        }
        std::vector<Fault> faults;
        if (!body.is_object() || (!body.contains("fault") && !body.contains("faults")))
            fail(Errc::InvalidArgument, R"(faults: expected {"fault": "SPEC"} or {"faults": ["SPEC", ...]})");
        if (body.contains("fault")) faults.push_back(Fault::parse(body["fault"].get<std::string>()));
        if (body.contains("faults")) {
            if (!body["faults"].is_array()) fail(Errc::InvalidArgument, "faults: 'faults' must be an array");
            for (const auto& f : body["faults"]) faults.push_back(Fault::parse(f.get<std::string>()));
        }
        for (auto& f : faults) add_fault(std::move(f));
        return reply(200, Json{{"ok", true}, {"count", faults.size()}});
    } catch (const Error& e) {
        return error(400, e.what());
    } catch (const Json::exception& e) {
        return error(400, e.what());
    }
}

}  // namespace lpad::smdpp
