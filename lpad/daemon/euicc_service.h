// SPDX-License-Identifier: Apache-2.0
// One eUICC on the bus: /org/lpad/Lpad1/euicc/N (org.lpad.Lpad1.Euicc), its Profile objects and preview Download
// objects. Adaptor methods only check access, unpack and queue a job on the card's Worker; the job runs lpad::core,
// re-reads the card into the cache and posts the reply (and the object/property updates) back to the bus thread.
// Card presence: for drivers that can watch it (drivers/registry.h PresenceWatch, e.g. pcsc:), the watch thread
// posts each change to the worker; a removed card or a stopped service marks the object unavailable (Status), a
// card that comes back is re-read. Without a watch, a failed read is retried when the worker is idle.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include <sdbus-c++/sdbus-c++.h>

#include "drivers/registry.h"
#include "lpad/core/card.h"
#include "lpad/core/download.h"
#include "lpad/core/notifications.h"
#include "lpad/core/server_connector.h"
#include "lpad/daemon/access.h"
#include "lpad/daemon/bus_loop.h"
#include "lpad/daemon/card_cache.h"
#include "lpad/daemon/config.h"
#include "lpad/daemon/dbus_errors.h"
#include "lpad/daemon/file_retry_store.h"
#include "lpad/daemon/in_flight_store.h"
#include "lpad/daemon/worker.h"
#include "lpad_dbus_adaptor.h"

namespace lpad::daemon {

inline const std::string kRootPath = "/org/lpad/Lpad1";

class ProfileObject;
class DownloadObject;
struct ConsentGate;

struct ServiceContext {
    sdbus::IConnection& connection;
    BusLoop& loop;
    core::ServerConnector& connector;
    AccessPolicy access;
    std::string state_dir;
    std::chrono::seconds consent_timeout{300};   // Config::consent_timeout
    std::chrono::seconds download_timeout{240};  // Config::download_timeout
};

class EuiccService final : public sdbus::AdaptorInterfaces<org::lpad::Lpad1::Euicc_adaptor> {
public:
    EuiccService(ServiceContext context, unsigned index, CardConfig config);
    ~EuiccService();

    const std::string& path() const { return path_; }
    void start();  // queues the first read of the card and starts the presence watch (if the driver has one)
    void stop();   // stops the watch, then the worker (the running job ends first)

    // Called by the Profile objects (bus thread).
    void profile_job(sdbus::Result<>&& result, sdbus::IObject& caller, const std::string& iccid,
                     const std::string& op, const std::string& nickname = {});
    const AccessPolicy& access() const { return context_.access; }

private:
    // --- org.lpad.Lpad1.Euicc ---
    void Download(sdbus::Result<sdbus::ObjectPath, std::string>&& result, std::string activation_code,
                  std::map<std::string, sdbus::Variant> options) override;
    void PreviewDownload(sdbus::Result<sdbus::ObjectPath>&& result, std::string activation_code,
                         std::map<std::string, sdbus::Variant> options) override;
    void Discover(sdbus::Result<std::vector<sdbus::Struct<std::string, std::string>>>&& result,
                  std::string smds_address) override;
    void SetDefaultSmdpAddress(sdbus::Result<>&& result, std::string address) override;
    void ResetMemory(sdbus::Result<>&& result, std::vector<std::string> what) override;
    void ProcessNotifications(sdbus::Result<std::vector<sdbus::Struct<int64_t, bool, bool, std::string>>>&& result,
                              int64_t seq_number) override;
    void RemoveNotification(sdbus::Result<>&& result, int64_t seq_number) override;
    void Refresh(sdbus::Result<>&& result) override;
    uint32_t Index() override { return index_; }
    std::string Driver() override { return config_.driver; }
    std::string Eid() override { return facts_.eid; }
    std::string Status() override { return facts_.status; }
    std::string DefaultSmdpAddress() override { return facts_.default_smdp; }
    std::string RootSmdsAddress() override { return facts_.root_smds; }
    std::string ProfileVersion() override { return facts_.profile_version; }
    std::string SvnVersion() override { return facts_.svn; }
    std::string FirmwareVersion() override { return facts_.firmware; }
    int64_t FreeNonVolatileMemory() override { return facts_.free_nv; }
    int64_t FreeVolatileMemory() override { return facts_.free_volatile; }
    std::string SasAccreditationNumber() override { return facts_.sas; }
    std::vector<std::string> CiPkidsForVerification() override { return facts_.ci_pkids; }
    std::vector<sdbus::ObjectPath> Profiles() override;
    std::vector<sdbus::Struct<int64_t, std::string, std::string, std::string>> PendingNotifications() override;
    std::string DownloadStage() override { return stage_; }
    uint32_t DownloadPercent() override { return percent_; }
    std::map<std::string, std::string> InterruptedDownload() override { return interrupted_; }

    // Runs `body(card)` on the worker, re-reads the `reread` parts of the card (CardPart; the ones the job can have
    // changed, in the job's own session when it worked), then on the bus thread replies with the tuple `body`
    // returned (or the mapped error) and then updates the objects (the update may remove the object being answered).
    template <class Body, class... Out>
    void enqueue(sdbus::Result<Out...>&& result, Body body, unsigned reread);
    // A queued job that can be refused (Busy) until it starts: while a preview waits for consent the worker is held,
    // so jobs queued behind it, and new ones, are answered at once instead of timing out unnoticed.
    struct Ticket {
        std::atomic<int> state{0};  // 0 queued, 1 started (worker), 2 refused (bus thread)
        std::function<void(const DbusError&)> refuse;  // bus thread
        bool start() {  // worker: false when refused meanwhile
            int queued = 0;
            return state.compare_exchange_strong(queued, 1);
        }
    };
    // Bus thread: a ticket for a new job, or nullptr after answering `refuse` with Busy (a preview waits).
    std::shared_ptr<Ticket> admit(std::function<void(const DbusError&)> refuse);
    void refuse_queued();                // bus thread: every job not started yet gets Busy
    DbusError busy_error() const;        // bus thread
    void on_name_lost(const std::string& unique_name);  // bus thread: a client left the bus
    // Worker side: re-read `parts` of the card (all of them after a failed read or a card change) into a snapshot
    // (nullopt when it cannot be read: Status is posted instead; also when there was nothing to read).
    std::optional<CardFacts> read_facts(unsigned parts = kPartsAll);
    // Worker side: re-read the card and post the snapshot to the bus thread.
    void refresh_cache(unsigned parts = kPartsAll);
    void post_status(std::string status);  // worker: Status only (the card could not be read)
    void on_presence(const drivers::PresenceEvent& event);  // worker
    void on_idle();                                          // worker
    void apply_facts(CardFacts facts);  // bus thread
    void set_progress(std::string stage, unsigned percent);  // any thread
    core::DownloadOptions download_options(const std::map<std::string, sdbus::Variant>& options);
    void note_delivered(const core::DownloadResult& r);  // worker: see worker_removed_
    // Worker: deliver pending notifications (automatic mode only); `only_if_due`: skip unless a retry is due or
    // the card holds notifications never tried. `reread`: re-read the card afterwards when anything was sent (not
    // inside a job: enqueue re-reads it once the job is done, after its reply).
    // `ignore_backoff`: also those whose retry is not due yet (at start-up: a restart is a good time to try).
    void process_due_notifications(bool only_if_due, bool reread = true, bool ignore_backoff = false);
    core::NotificationSender& sender();          // worker; created once the EID is known
    // --- downloads in flight (resume.cpp, issue #18) ---
    InFlightStore& in_flight();  // worker; created once the EID is known
    // Worker: core::download with the in-flight record kept from getBoundProfilePackage until the card settled it
    // (a download the card could not settle stays recorded and is resumed later).
    // `replaces`: the transactionId of the record this download continues (removed once the new one is written).
    using DownloadWhat = std::variant<std::string, core::DownloadTarget>;  // an activation code, or a target
    core::DownloadResult download_remembered(core::CardSession& card, const DownloadWhat& what,
                                             core::DownloadOptions options, const std::string& replaces = {});
    // Worker: finish (or cancel) the recorded downloads a crash interrupted; `at_start`: also when not yet due.
    void resume_interrupted(bool at_start);
    void post_interrupted(std::map<std::string, std::string> report);  // worker -> bus thread

    ServiceContext context_;
    unsigned index_;
    CardConfig config_;
    std::string path_;
    std::unique_ptr<Transport> transport_;      // worker only
    std::unique_ptr<core::CardSession> card_;   // worker only
    std::unique_ptr<FileRetryStore> retry_store_;
    std::unique_ptr<core::NotificationSender> sender_;
    std::unique_ptr<InFlightStore> in_flight_;  // worker only
    std::chrono::steady_clock::time_point resume_due_{};  // worker only: next try of a recorded download
    unsigned resume_failures_ = 0;                         // worker only: transient failures in a row
    bool resume_waiting_ = false;                          // worker only: a record waits for resume_due_
    std::map<std::string, std::string> interrupted_;      // bus thread only (InterruptedDownload)
    std::string worker_eid_;                    // worker only
    std::size_t worker_pending_ = 0;            // worker only: notifications on the card at the last read
    bool worker_ok_ = false;                    // worker only: the last read succeeded
    bool worker_reread_eid_ = false;            // worker only: the card was away; it may be another one
    std::string worker_last_error_;             // worker only: logged once, not on every retry
    CardFacts worker_facts_;                    // worker only: the last successful read, for partial re-reads
    // worker only: set by a download whose every notification outcome was removed from the card: the sequence
    // numbers removed. The next read derives the pending list from the cached one instead of reading it.
    std::optional<std::vector<std::int64_t>> worker_removed_;
    CardFacts facts_;                           // bus thread only
    std::map<std::string, std::unique_ptr<ProfileObject>> profiles_;    // bus thread only, by ICCID
    std::map<std::string, std::shared_ptr<DownloadObject>> downloads_;  // bus thread only, by path
    std::vector<std::shared_ptr<Ticket>> tickets_;                       // bus thread only
    // The preview waiting for consent (bus thread only): its path, gate and the caller that asked for it.
    std::string consent_path_, consent_caller_;
    std::shared_ptr<ConsentGate> consent_gate_;
    std::unique_ptr<sdbus::IProxy> bus_proxy_;  // org.freedesktop.DBus: NameOwnerChanged (bus thread)
    unsigned next_download_ = 0;
    std::string stage_;
    unsigned percent_ = 0;
    std::unique_ptr<Worker> worker_;  // destroyed (joined) after the watch
    std::unique_ptr<drivers::PresenceWatch> presence_;  // bus thread; last: destroyed (stopped) first
};

}  // namespace lpad::daemon
