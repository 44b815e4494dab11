// SPDX-License-Identifier: Apache-2.0
#include "tests/smdpp/faults.h"

#include <charconv>

#include "libapdu/error.h"

namespace lpad::smdpp {

namespace {

struct ActionName {
    FaultAction action;
    std::string_view text;
};
constexpr ActionName kActions[] = {
    {FaultAction::CloseConnection, "close"},
    {FaultAction::Http500, "http500"},
    {FaultAction::MalformedJson, "malformed-json"},
    {FaultAction::BadSignature, "bad-signature"},
    {FaultAction::WrongTransactionId, "wrong-transaction-id"},
    {FaultAction::WrongSignedTransactionId, "wrong-signed-transaction-id"},
    {FaultAction::WrongAddress, "wrong-address"},
    {FaultAction::Delay, "delay"},
    {FaultAction::Hold, "hold"},
    {FaultAction::BadMac, "bad-mac"},
};
constexpr std::string_view kFunctions[] = {"initiateAuthentication", "authenticateClient", "getBoundProfilePackage",
                                           "handleNotification", "cancelSession", "*"};

}  // namespace

std::string_view name(FaultAction action) {
    for (const auto& a : kActions)
        if (a.action == action) return a.text;
    return "unknown";
}

Fault Fault::parse(std::string_view text) {
    auto bad = [&](const std::string& why) -> Fault {
        fail(Errc::InvalidArgument, "fault '" + std::string(text) + "': " + why);
    };
    Fault f;
    std::string_view rest = text;
    if (!rest.empty() && rest.back() == '+') {
        f.persistent = true;
        rest.remove_suffix(1);
    }
    auto at = rest.find('@');
    if (at == std::string_view::npos) return bad("expected ACTION@FUNCTION");
    std::string_view action = rest.substr(0, at), where = rest.substr(at + 1);
    std::string_view arg;
    if (auto eq = action.find('='); eq != std::string_view::npos) {
        arg = action.substr(eq + 1);
        action = action.substr(0, eq);
    }
    bool known = false;
    for (const auto& a : kActions)
        if (a.text == action) {
            f.action = a.action;
            known = true;
        }
    if (!known) return bad("unknown action '" + std::string(action) + "'");
    if (f.action == FaultAction::Delay || f.action == FaultAction::Hold) {
        auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), f.arg);
        if (arg.empty() || ec != std::errc() || p != arg.data() + arg.size() || f.arg > 600000)
            return bad(std::string(action) + " needs =MILLISECONDS (0..600000)");
    } else if (!arg.empty()) {
        return bad("only delay and hold take an argument");
    }
    if (auto slash = where.find('/'); slash != std::string_view::npos) {
        f.matching_id = std::string(where.substr(slash + 1));
        where = where.substr(0, slash);
        if (f.matching_id->empty()) return bad("empty matching ID");
    }
    bool fn_ok = false;
    for (auto fn : kFunctions) fn_ok |= fn == where;
    if (!fn_ok) return bad("unknown function '" + std::string(where) + "'");
    f.function = std::string(where);
    return f;
}

std::string Fault::to_string() const {
    std::string s(name(action));
    if (action == FaultAction::Delay || action == FaultAction::Hold) s += "=" + std::to_string(arg);
    s += "@" + function;
    if (matching_id) s += "/" + *matching_id;
    if (persistent) s += "+";
    return s;
}

std::optional<Fault> FaultSet::take(std::string_view function, std::string_view matching_id) {
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (it->function != "*" && it->function != function) continue;
        if (it->matching_id && (matching_id.empty() || *it->matching_id != matching_id)) continue;
        Fault f = *it;
        if (!f.persistent) faults_.erase(it);
        return f;
    }
    return std::nullopt;
}

}  // namespace lpad::smdpp
