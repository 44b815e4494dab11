// SPDX-License-Identifier: Apache-2.0
// The per-profile and per-download D-Bus objects of an eUICC. Bus thread only: created, updated and removed by
// EuiccService from its cache; their methods forward to it.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "libapdu/es10c.h"
#include "lpad/core/download.h"
#include "lpad/daemon/access.h"
#include "lpad/daemon/dbus_errors.h"
#include "lpad_dbus_adaptor.h"

namespace lpad::daemon {

class EuiccService;

class ProfileObject final : public sdbus::AdaptorInterfaces<org::lpad::Lpad1::Profile_adaptor> {
public:
    // Registers the object and announces it (InterfacesAdded).
    ProfileObject(sdbus::IConnection& connection, std::string path, es10::ProfileInfo info, EuiccService& service);
    ~ProfileObject();  // InterfacesRemoved, unregister
    // Replaces the cached info; emits PropertiesChanged when anything differs.
    void update(es10::ProfileInfo info);

private:
    void Enable(sdbus::Result<>&& result) override;
    void Disable(sdbus::Result<>&& result) override;
    void Delete(sdbus::Result<>&& result) override;
    void SetNickname(sdbus::Result<>&& result, std::string nickname) override;
    std::string Iccid() override { return iccid_; }
    std::string IsdpAid() override;
    std::string State() override;
    std::string Name() override { return info_.profile_name.value_or(""); }
    std::string ServiceProvider() override { return info_.service_provider_name.value_or(""); }
    std::string Nickname() override { return info_.profile_nickname.value_or(""); }
    std::string Class() override { return std::string(es10::name(info_.profile_class)); }
    std::string IconType() override;
    std::vector<uint8_t> Icon() override { return info_.icon.value_or(Bytes{}); }

    es10::ProfileInfo info_;
    std::string iccid_;
    EuiccService& service_;
};

// The consent hand-over between the worker (waiting in core::download's consent hook) and the bus thread.
struct ConsentGate {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<core::ConsentDecision> decision;
    void decide(core::ConsentDecision d);  // the first decision counts
    bool decided();
};

class DownloadObject final : public sdbus::AdaptorInterfaces<org::lpad::Lpad1::Download_adaptor> {
public:
    DownloadObject(sdbus::IConnection& connection, std::string path, std::string euicc_path, std::string smdp,
                   const core::ProfilePreview& preview, std::shared_ptr<ConsentGate> gate, const AccessPolicy& access);
    ~DownloadObject();
    void set_progress(const std::string& stage, unsigned percent);
    // Shutdown: a download still waiting for consent ends undecided (cancelled with reason timeout, the order kept)
    // so its worker can stop.
    void cancel() { gate_->decide(core::ConsentDecision{false, std::nullopt, true}); }
    // The download ended: answer a pending Accept/Reject. `profile_path` is empty on failure.
    void finish(const std::string& profile_path, const std::optional<DbusError>& error);

private:
    void Accept(sdbus::Result<sdbus::ObjectPath>&& result, std::string confirmation_code) override;
    void Reject(sdbus::Result<>&& result) override;
    sdbus::ObjectPath Euicc() override { return euicc_path_; }
    std::string SmdpAddress() override { return smdp_; }
    std::string Iccid() override { return preview_.iccid; }
    std::string Name() override { return preview_.name; }
    std::string ServiceProvider() override { return preview_.service_provider; }
    std::string Class() override { return std::string(es10::name(preview_.profile_class)); }
    std::vector<std::string> PolicyRules() override { return preview_.policy_rules; }
    bool ConfirmationCodeRequired() override { return preview_.confirmation_code_required; }
    std::string State() override { return state_; }
    std::string Stage() override { return stage_; }
    uint32_t Percent() override { return percent_; }
    std::string ErrorName() override { return error_name_; }
    std::string ErrorMessage() override { return error_message_; }
    void set_state(std::string state);

    std::string euicc_path_, smdp_;
    core::ProfilePreview preview_;
    std::shared_ptr<ConsentGate> gate_;
    const AccessPolicy& access_;
    std::string state_ = "waiting", stage_ = "consent", error_name_, error_message_;
    unsigned percent_ = 0;
    std::optional<sdbus::Result<sdbus::ObjectPath>> accept_;
    std::optional<sdbus::Result<>> reject_;
};

}  // namespace lpad::daemon
