// The admin interface of the test SM-DP+ (loopback only): orders, SM-DS events, faults, received notifications.
//   GET /admin/orders | /admin/events | /admin/faults | /admin/notifications  -> JSON array
//   POST /admin/orders   an order object or an array of them (orders.h)
//   POST /admin/events   {eid, eventId, rspServerAddress} or an array
//   POST /admin/faults   {"fault": "SPEC"} or {"faults": ["SPEC", ...]} (faults.h);  DELETE /admin/faults clears
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
        if (call.method == "DELETE" && what == "faults") {
            clear_faults();
            return reply(200, Json{{"ok", true}});
        }
        if (call.method != "POST") return error(405, "method not allowed");
        Json body = Json::parse(call.body);
        if (what == "orders") {
            each(body, [&](const Json& o) { add_order(Order::from_json(o, "")); });
        } else if (what == "events") {
            each(body, [&](const Json& e) { add_event(Event::from_json(e)); });
        } else if (what == "faults") {
            if (body.contains("fault")) add_fault(Fault::parse(body["fault"].get<std::string>()));
            if (body.contains("faults"))
                for (const auto& f : body["faults"]) add_fault(Fault::parse(f.get<std::string>()));
        } else {
            return error(404, "unknown admin resource " + what);
        }
        return reply(200, Json{{"ok", true}});
    } catch (const Error& e) {
        return error(400, e.what());
    } catch (const Json::exception& e) {
        return error(400, e.what());
    }
}

}  // namespace lpad::smdpp
