// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/objects.h"

#include "libapdu/identifiers.h"
#include "lpad/daemon/euicc_service.h"

namespace lpad::daemon {
namespace {
constexpr const char* kProfileIface = "org.lpad.Lpad1.Profile";
constexpr const char* kDownloadIface = "org.lpad.Lpad1.Download";

// Runs a handler body; an lpad::Error (e.g. PermissionDenied) becomes the mapped D-Bus error.
template <class R, class F>
void guarded(R& result, F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        auto err = to_dbus_error(e);
        result.returnError(sdbus::Error(err.name, err.message));
    }
}
}  // namespace

ProfileObject::ProfileObject(sdbus::IConnection& connection, std::string path, es10::ProfileInfo info,
                             EuiccService& service)
    : AdaptorInterfaces(connection, std::move(path)), info_(std::move(info)), iccid_(iccid_string(info_)),
      service_(service) {
    registerAdaptor();
    getObject().emitInterfacesAddedSignal({kProfileIface});
}

ProfileObject::~ProfileObject() {
    try {
        getObject().emitInterfacesRemovedSignal({kProfileIface});
    } catch (const sdbus::Error&) {
        // the bus is gone (shutdown after it): nobody is left to tell, and a destructor must not throw
    }
    unregisterAdaptor();
}

void ProfileObject::update(es10::ProfileInfo info) {
    if (info == info_) return;
    info_ = std::move(info);
    getObject().emitPropertiesChangedSignal(kProfileIface);
}

std::string ProfileObject::IsdpAid() { return info_.isdp_aid ? to_hex(*info_.isdp_aid) : ""; }
std::string ProfileObject::State() {
    return info_.profile_state == es10::ProfileState::enabled ? "enabled" : "disabled";
}
std::string ProfileObject::IconType() { return info_.icon_type ? std::string(es10::name(*info_.icon_type)) : ""; }

void ProfileObject::Enable(sdbus::Result<>&& result) {
    service_.profile_job(std::move(result), getObject(), iccid_, "enable");
}
void ProfileObject::Disable(sdbus::Result<>&& result) {
    service_.profile_job(std::move(result), getObject(), iccid_, "disable");
}
void ProfileObject::Delete(sdbus::Result<>&& result) {
    service_.profile_job(std::move(result), getObject(), iccid_, "delete");
}
void ProfileObject::SetNickname(sdbus::Result<>&& result, std::string nickname) {
    service_.profile_job(std::move(result), getObject(), iccid_, "nickname", nickname);
}

void ConsentGate::decide(core::ConsentDecision d) {
    {
        std::lock_guard lock(mutex);
        if (!decision) decision = std::move(d);
    }
    cv.notify_all();
}

bool ConsentGate::decided() {
    std::lock_guard lock(mutex);
    return decision.has_value();
}

DownloadObject::DownloadObject(sdbus::IConnection& connection, std::string path, std::string euicc_path,
                               std::string smdp, const core::ProfilePreview& preview,
                               std::shared_ptr<ConsentGate> gate, const AccessPolicy& access)
    : AdaptorInterfaces(connection, std::move(path)), euicc_path_(std::move(euicc_path)), smdp_(std::move(smdp)),
      preview_(preview), gate_(std::move(gate)), access_(access) {
    registerAdaptor();
    getObject().emitInterfacesAddedSignal({kDownloadIface});
}

DownloadObject::~DownloadObject() {
    try {
        getObject().emitInterfacesRemovedSignal({kDownloadIface});
    } catch (const sdbus::Error&) {
        // the bus is gone (shutdown after it): nobody is left to tell, and a destructor must not throw
    }
    unregisterAdaptor();
}

void DownloadObject::set_state(std::string state) {
    if (state == state_) return;
    state_ = std::move(state);
    getObject().emitPropertiesChangedSignal(kDownloadIface, {"State"});
}

void DownloadObject::set_progress(const std::string& stage, unsigned percent) {
    if (stage == stage_ && percent == percent_) return;
    stage_ = stage;
    percent_ = percent;
    getObject().emitPropertiesChangedSignal(kDownloadIface, {"Stage", "Percent"});
}

void DownloadObject::Accept(sdbus::Result<sdbus::ObjectPath>&& result, std::string confirmation_code) {
    guarded(result, [&] {
        check_mutation_allowed(access_, getObject());
        if (state_ != "waiting") fail(Errc::Busy, "the download was already decided (" + state_ + ")");
        core::ConsentDecision d{true, std::nullopt};
        if (!confirmation_code.empty()) d.confirmation_code = confirmation_code;
        accept_ = std::move(result);
        set_state("running");
        gate_->decide(std::move(d));
    });
}

void DownloadObject::Reject(sdbus::Result<>&& result) {
    guarded(result, [&] {
        check_mutation_allowed(access_, getObject());
        if (state_ != "waiting") fail(Errc::Busy, "the download was already decided (" + state_ + ")");
        reject_ = std::move(result);
        set_state("rejected");
        gate_->decide(core::ConsentDecision{false, std::nullopt});
    });
}

void DownloadObject::finish(const std::string& profile_path, const std::optional<DbusError>& error) {
    if (error) {
        error_name_ = error->name;
        error_message_ = error->message;
        getObject().emitPropertiesChangedSignal(kDownloadIface, {"ErrorName", "ErrorMessage"});
    }
    if (state_ != "rejected") set_state(error ? "failed" : "done");
    if (accept_) {
        if (error) accept_->returnError(sdbus::Error(error->name, error->message));
        else accept_->returnResults(sdbus::ObjectPath(profile_path));
        accept_.reset();
    }
    if (reject_) {
        // A refusal ends in Rejected from core: that is the success of Reject().
        if (error && error->name != std::string(kErrorPrefix) + "Rejected")
            reject_->returnError(sdbus::Error(error->name, error->message));
        else reject_->returnResults();
        reject_.reset();
    }
}

}  // namespace lpad::daemon
