// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/euicc_service.h"

#include <filesystem>

#include "libapdu/activation_code.h"
#include "libapdu/identifiers.h"
#include "libapdu/log.h"
#include "drivers/registry.h"
#include "lpad/core/discovery.h"
#include "lpad/daemon/objects.h"

namespace lpad::daemon {
namespace {
constexpr const char* kEuiccIface = "org.lpad.Lpad1.Euicc";

template <class T>
std::optional<T> option(const std::map<std::string, sdbus::Variant>& options, const std::string& key) {
    auto it = options.find(key);
    if (it == options.end()) return std::nullopt;
    if (!it->second.containsValueOfType<T>()) fail(Errc::InvalidArgument, "option " + key + ": wrong type");
    return it->second.get<T>();
}

// What a download can change: the profile list, the notifications and the free memory (EUICCInfo2); never the
// configured addresses. Read in the download's own session (issue 16: the daemon path at the in-process floor).
constexpr unsigned kDownloadChanges = kPartProfiles | kPartNotifications | kPartInfo2;

es10::ProfileIdentifier by_iccid(const std::string& iccid) {
    return es10::ProfileIdentifier::from_iccid(iccid_to_bcd(iccid));
}
}  // namespace

EuiccService::EuiccService(ServiceContext context, unsigned index, CardConfig config)
    : AdaptorInterfaces(context.connection, kRootPath + "/euicc/" + std::to_string(index)),
      context_(std::move(context)), index_(index), config_(std::move(config)),
      path_(kRootPath + "/euicc/" + std::to_string(index)) {
    transport_ = drivers::create_transport(config_.driver);
    core::CardOptions options;
    if (!config_.isdr_aids.empty()) {
        options.es10.isdr_aids.clear();
        for (const auto& aid : config_.isdr_aids) options.es10.isdr_aids.push_back(aid_from_hex(aid));
    }
    options.es10.store_data_block = config_.store_data_block;
    card_ = std::make_unique<core::CardSession>(*transport_, options);
    worker_ = std::make_unique<Worker>([this] { on_idle(); });
    registerAdaptor();
}

EuiccService::~EuiccService() {
    stop();
    downloads_.clear();
    profiles_.clear();
    unregisterAdaptor();
}

void EuiccService::stop() {
    presence_.reset();  // no presence event is posted after this
    bus_proxy_.reset();
    for (auto& [path, d] : downloads_) d->cancel();
    if (worker_) worker_->stop();
}

void EuiccService::start() {
    worker_->submit_fn([this] {
        resume_waiting_ = true;  // downloads a crash interrupted: as soon as the card can be read (now, or later)
        refresh_cache();
        if (worker_ok_) resume_interrupted(true);
        // At start every pending notification is tried once, whatever its backoff (issue #18).
        if (worker_ok_) process_due_notifications(false, true, true);
    });
    // A client that leaves the bus takes its pending preview with it (NameOwnerChanged with no new owner).
    bus_proxy_ = sdbus::createProxy(context_.connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bus_proxy_->registerSignalHandler("org.freedesktop.DBus", "NameOwnerChanged", [this](sdbus::Signal& signal) {
        std::string name, old_owner, new_owner;
        signal >> name >> old_owner >> new_owner;
        if (new_owner.empty() && !old_owner.empty()) on_name_lost(old_owner);
    });
    bus_proxy_->finishRegistration();
    // Queued after the first read, so the watch's first report (the state at start) finds it done.
    presence_ = drivers::watch_presence(config_.driver, [this](const drivers::PresenceEvent& event) {
        worker_->submit_fn([this, event] { on_presence(event); });
    });
}

void EuiccService::on_presence(const drivers::PresenceEvent& event) {
    const std::string tag = "euicc" + std::to_string(index_);
    if (event.presence == drivers::Presence::Present) {
        if (worker_ok_ && !event.changed_card && !event.used_elsewhere) return;
        log::info(tag, (event.changed_card      ? "card reinserted ("
                        : event.used_elsewhere ? "card changed hands ("
                                               : "card present (") +
                           event.detail + "): reading it");
        if (event.changed_card) worker_reread_eid_ = true;
        refresh_cache();
        if (worker_ok_ && resume_waiting_) resume_interrupted(false);
        if (worker_ok_) process_due_notifications(false);
        return;
    }
    // Absent / NoService: nothing to send to the card; the next job (or the card's return) reads it again.
    log::warning(tag, std::string(event.presence == drivers::Presence::Absent ? "card removed or reader gone: "
                                                                              : "card service not available: ") +
                          event.detail);
    card_->close();
    worker_ok_ = false;
    worker_reread_eid_ = true;
    worker_last_error_ = event.detail;
    post_status(std::string(kErrorPrefix) + std::string(errc_name(Errc::Unavailable)));
}

void EuiccService::on_idle() {
    // A card that could not be read is tried again (drivers without a presence watch, or a change it missed).
    if (!worker_ok_) refresh_cache();
    if (worker_ok_ && resume_waiting_) resume_interrupted(false);
    if (worker_ok_) process_due_notifications(true);
}

void EuiccService::post_status(std::string status) {
    context_.loop.post_fn([this, status = std::move(status)] {
        if (facts_.status == status) return;
        facts_.status = status;
        getObject().emitPropertiesChangedSignal(kEuiccIface, {"Status"});
    });
}

template <class Body, class... Out>
void EuiccService::enqueue(sdbus::Result<Out...>&& result, Body body, unsigned reread) {
    auto pending = std::make_shared<std::optional<sdbus::Result<Out...>>>(std::move(result));
    auto ticket = admit([pending](const DbusError& err) {
        if (!*pending) return;
        (*pending)->returnError(sdbus::Error(err.name, err.message));
        pending->reset();
    });
    if (!ticket) return;
    worker_->submit_fn([this, ticket, pending, reread, body = std::move(body)]() mutable {
        if (!ticket->start()) return;  // refused (and answered) while queued
        std::optional<std::tuple<Out...>> value;
        std::optional<DbusError> error;
        try {
            value = body(*card_);
        } catch (const std::exception& e) {
            error = to_dbus_error(e);
            log::warning("euicc" + std::to_string(index_), error->name + ": " + error->message);
            card_->close();  // a failed job's session is not reused for the re-read
        }
        // In the job's session when it worked: no second MANAGE CHANNEL / SELECT for the re-read.
        auto facts = read_facts(reread);
        context_.loop.post_fn([this, pending, value = std::move(value), error = std::move(error),
                               facts = std::move(facts)]() mutable {
            // The reply first, while the object whose method it answers is still registered (a deleted profile's
            // object goes with the update): replying after its removal lost the reply (issue #11, item 1).
            if (*pending) {
                if (error) (*pending)->returnError(sdbus::Error(error->name, error->message));
                else std::apply([&](auto&... v) { (*pending)->returnResults(v...); }, *value);
                pending->reset();
            }
            if (facts) apply_facts(std::move(*facts));
        });
    });
}

std::shared_ptr<EuiccService::Ticket> EuiccService::admit(std::function<void(const DbusError&)> refuse) {
    if (consent_gate_ && !consent_gate_->decided()) {
        refuse(busy_error());
        return nullptr;
    }
    std::erase_if(tickets_, [](const auto& t) { return t->state.load() != 0; });
    auto ticket = std::make_shared<Ticket>();
    ticket->refuse = std::move(refuse);
    tickets_.push_back(ticket);
    return ticket;
}

void EuiccService::refuse_queued() {
    for (auto& t : tickets_) {
        int queued = 0;
        if (t->state.compare_exchange_strong(queued, 2)) t->refuse(busy_error());
    }
    tickets_.clear();
}

DbusError EuiccService::busy_error() const {
    return {std::string(kErrorPrefix) + std::string(errc_name(Errc::Busy)),
            "the eUICC is held by a download waiting for the user's decision (" + consent_path_ +
                "): accept or reject it first; without a decision it is cancelled after " +
                std::to_string(context_.consent_timeout.count()) + " s"};
}

void EuiccService::on_name_lost(const std::string& unique_name) {
    if (unique_name != consent_caller_ || !consent_gate_ || consent_gate_->decided()) return;
    log::info("euicc" + std::to_string(index_),
              "the client waiting on " + consent_path_ + " left the bus: cancelling it (order kept)");
    consent_gate_->decide(core::ConsentDecision{false, std::nullopt, true});
}

void EuiccService::refresh_cache(unsigned parts) {
    if (auto f = read_facts(parts))
        context_.loop.post_fn([this, f = std::move(*f)]() mutable { apply_facts(std::move(f)); });
}

std::optional<CardFacts> EuiccService::read_facts(unsigned parts) {
    const std::string tag = "euicc" + std::to_string(index_);
    auto removed = std::exchange(worker_removed_, std::nullopt);
    if (!worker_ok_ || worker_reread_eid_) parts = kPartsAll;  // nothing (trustworthy) to keep from before
    else if (removed && (parts & kPartNotifications)) parts &= ~unsigned{kPartNotifications};  // derived below
    if (parts == 0) {
        card_->close();
        return std::nullopt;
    }
    CardFacts f = parts == kPartsAll ? CardFacts{} : worker_facts_;
    if (!worker_reread_eid_) f.eid = worker_eid_;
    try {
        read_card_facts(*card_, f, parts);
        if (removed && !(parts & kPartNotifications))
            std::erase_if(f.notifications, [&](const auto& n) {
                return std::find(removed->begin(), removed->end(), n.seq_number) != removed->end();
            });
        if (!worker_eid_.empty() && f.eid != worker_eid_) {
            // Another eUICC in the same place: its notifications have their own retry queue.
            log::info(tag, "a different eUICC (EID " + f.eid + ", was " + worker_eid_ + ")");
            sender_.reset();
            retry_store_.reset();
            in_flight_.reset();
            resume_waiting_ = true;  // its own interrupted downloads, if any
            resume_due_ = {};
        }
        worker_eid_ = f.eid;
        worker_pending_ = f.notifications.size();
    } catch (const std::exception& e) {
        auto err = to_dbus_error(e);
        // Logged once per distinct failure: idle retries of an absent card do not fill the log.
        if (err.message != worker_last_error_) log::warning(tag, "cannot read the card: " + err.message);
        else log::debug(tag, "cannot read the card: " + err.message);
        worker_last_error_ = err.message;
        worker_ok_ = false;
        card_->close();
        post_status(err.name);
        return std::nullopt;
    }
    if (!worker_ok_ && !worker_last_error_.empty()) log::info(tag, "card readable again (EID " + f.eid + ")");
    worker_ok_ = true;
    worker_reread_eid_ = false;
    worker_last_error_.clear();
    card_->close();
    worker_facts_ = f;
    return f;
}

void EuiccService::apply_facts(CardFacts f) {
    std::vector<std::string> changed;
    auto note = [&](bool differs, const char* name) {
        if (differs) changed.push_back(name);
    };
    note(f.eid != facts_.eid, "Eid");
    note(f.status != facts_.status, "Status");
    note(f.default_smdp != facts_.default_smdp, "DefaultSmdpAddress");
    note(f.root_smds != facts_.root_smds, "RootSmdsAddress");
    note(f.profile_version != facts_.profile_version, "ProfileVersion");
    note(f.svn != facts_.svn, "SvnVersion");
    note(f.firmware != facts_.firmware, "FirmwareVersion");
    note(f.free_nv != facts_.free_nv, "FreeNonVolatileMemory");
    note(f.free_volatile != facts_.free_volatile, "FreeVolatileMemory");
    note(f.sas != facts_.sas, "SasAccreditationNumber");
    note(f.ci_pkids != facts_.ci_pkids, "CiPkidsForVerification");
    note(!(f.notifications.size() == facts_.notifications.size() &&
           std::equal(f.notifications.begin(), f.notifications.end(), facts_.notifications.begin(),
                      [](const auto& a, const auto& b) { return a.seq_number == b.seq_number; })),
         "PendingNotifications");
    // Profile objects: added, updated, removed (by ICCID).
    std::map<std::string, const es10::ProfileInfo*> now;
    for (const auto& p : f.profiles)
        if (p.iccid) now[iccid_string(p)] = &p;
    bool list_changed = false;
    for (auto it = profiles_.begin(); it != profiles_.end();) {
        if (!now.count(it->first)) {
            it = profiles_.erase(it);
            list_changed = true;
        } else {
            ++it;
        }
    }
    for (const auto& [iccid, info] : now) {
        auto it = profiles_.find(iccid);
        if (it == profiles_.end()) {
            profiles_[iccid] = std::make_unique<ProfileObject>(context_.connection, path_ + "/profile/" + iccid,
                                                               *info, *this);
            list_changed = true;
        } else {
            it->second->update(*info);
        }
    }
    note(list_changed, "Profiles");
    facts_ = std::move(f);
    if (!changed.empty()) getObject().emitPropertiesChangedSignal(kEuiccIface, changed);
}

std::vector<sdbus::ObjectPath> EuiccService::Profiles() {
    std::vector<sdbus::ObjectPath> out;
    for (const auto& p : facts_.profiles)
        if (p.iccid) out.emplace_back(path_ + "/profile/" + iccid_string(p));
    return out;
}

std::vector<sdbus::Struct<int64_t, std::string, std::string, std::string>> EuiccService::PendingNotifications() {
    std::vector<sdbus::Struct<int64_t, std::string, std::string, std::string>> out;
    for (const auto& n : facts_.notifications)
        out.emplace_back(n.seq_number, operation_name(n.profile_management_operation), n.notification_address,
                         n.iccid ? iccid_from_bcd(*n.iccid) : std::string());
    return out;
}

void EuiccService::set_progress(std::string stage, unsigned percent) {
    context_.loop.post_fn([this, stage = std::move(stage), percent] {
        if (stage == stage_ && percent == percent_) return;
        stage_ = stage;
        percent_ = percent;
        getObject().emitPropertiesChangedSignal(kEuiccIface, {"DownloadStage", "DownloadPercent"});
        for (auto& [path, d] : downloads_) d->set_progress(stage_, percent_);
    });
}

core::NotificationSender& EuiccService::sender() {
    if (!sender_) {
        if (worker_eid_.empty()) worker_eid_ = eid_to_string(card_->eid());
        std::filesystem::create_directories(context_.state_dir);
        retry_store_ = std::make_unique<FileRetryStore>(context_.state_dir + "/notifications-" + worker_eid_ + ".json");
        sender_ = std::make_unique<core::NotificationSender>(context_.connector, core::RetryPolicy{}, retry_store_.get());
    }
    return *sender_;
}

void EuiccService::process_due_notifications(bool only_if_due, bool reread, bool ignore_backoff) {
    if (!config_.auto_notifications) return;
    try {
        auto& s = sender();
        if (only_if_due) {
            auto next = s.next_retry();
            bool due = next && *next <= std::time(nullptr);
            // Also those never tried (left by a crash or by a manual-mode period): more on the card than scheduled.
            if (!due && worker_pending_ <= s.retries().size()) return;
        }
        core::ProcessOptions po;
        po.ignore_backoff = ignore_backoff;
        auto outcomes = s.process(*card_, po);
        for (const auto& o : outcomes)
            if (!o.sent && !o.deferred)
                log::info("euicc" + std::to_string(index_),
                          "notification " + std::to_string(o.seq_number) + " not delivered: " + o.message);
        card_->close();
        if (reread && !outcomes.empty()) refresh_cache(kPartNotifications);
    } catch (const std::exception& e) {
        card_->close();
        log::warning("euicc" + std::to_string(index_), std::string("notifications: ") + e.what());
    }
}

void EuiccService::note_delivered(const core::DownloadResult& r) {
    // The pending list after the download = the cached one minus what was removed, when every notification the
    // download handled (its own install notification among them) was removed: no ListNotification needed.
    if (r.notifications.empty()) return;
    std::vector<std::int64_t> seqs;
    for (const auto& o : r.notifications) {
        if (!o.removed) return;
        seqs.push_back(o.seq_number);
    }
    worker_removed_ = std::move(seqs);
}

core::DownloadOptions EuiccService::download_options(const std::map<std::string, sdbus::Variant>& options) {
    for (const auto& [key, value] : options)
        if (key != "confirmation_code" && key != "imei" && key != "enable")
            fail(Errc::InvalidArgument, "unknown download option " + key);
    core::DownloadOptions o;
    o.device.imei = option<std::string>(options, "imei").value_or(config_.imei);
    if (!o.device.imei.empty()) core::check_imei(o.device.imei);  // here, before any job: InvalidArgument
    o.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(context_.download_timeout);
    if (auto cc = option<std::string>(options, "confirmation_code"); cc && !cc->empty()) o.confirmation_code = cc;
    o.enable_after_download = option<bool>(options, "enable").value_or(false);
    o.refresh_flag = config_.refresh;
    o.progress = [this](core::DownloadStage stage, int percent) {
        set_progress(std::string(core::name(stage)), static_cast<unsigned>(std::clamp(percent, 0, 100)));
    };
    return o;
}

void EuiccService::Download(sdbus::Result<sdbus::ObjectPath, std::string>&& result, std::string activation_code,
                            std::map<std::string, sdbus::Variant> options) {
    core::DownloadOptions opts;
    try {
        check_mutation_allowed(context_.access, getObject());
        opts = download_options(options);
    } catch (const std::exception& e) {
        auto err = to_dbus_error(e);
        result.returnError(sdbus::Error(err.name, err.message));
        return;
    }
    enqueue(std::move(result), [this, code = std::move(activation_code), opts = std::move(opts)](
                                   core::CardSession& card) mutable {
        opts.notifications = &sender();
        struct ClearProgress {
            EuiccService* s;
            ~ClearProgress() { s->set_progress("", 0); }
        } clear{this};
        auto r = download_remembered(card, code, std::move(opts));
        note_delivered(r);
        return std::tuple<sdbus::ObjectPath, std::string>{sdbus::ObjectPath(path_ + "/profile/" + r.iccid), r.iccid};
    }, kDownloadChanges);
}

void EuiccService::PreviewDownload(sdbus::Result<sdbus::ObjectPath>&& result, std::string activation_code,
                                   std::map<std::string, sdbus::Variant> options) {
    core::DownloadOptions opts;
    std::string caller;  // its unique name: leaving the bus cancels the preview, unless it asked to detach
    try {
        check_mutation_allowed(context_.access, getObject());
        bool detach = option<bool>(options, "detach").value_or(false);
        options.erase("detach");
        opts = download_options(options);
        if (const auto* msg = getObject().getCurrentlyProcessedMessage(); msg && !detach) caller = msg->getSender();
    } catch (const std::exception& e) {
        auto err = to_dbus_error(e);
        result.returnError(sdbus::Error(err.name, err.message));
        return;
    }
    std::string path = path_ + "/download/" + std::to_string(next_download_++);
    auto gate = std::make_shared<ConsentGate>();
    // The PreviewDownload reply waits (on the bus thread) until the consent point or a failure before it.
    auto pending = std::make_shared<std::optional<sdbus::Result<sdbus::ObjectPath>>>(std::move(result));
    auto ticket = admit([pending](const DbusError& err) {
        if (!*pending) return;
        (*pending)->returnError(sdbus::Error(err.name, err.message));
        pending->reset();
    });
    if (!ticket) return;
    worker_->submit_fn([this, ticket, code = std::move(activation_code), opts = std::move(opts), path, gate, pending,
                        caller]() mutable {
        if (!ticket->start()) return;
        opts.consent = [this, path, gate, pending, caller](const core::ProfilePreview& preview) {
            context_.loop.post_fn([this, path, gate, pending, preview, caller] {
                downloads_[path] = std::make_shared<DownloadObject>(context_.connection, path, path_,
                                                                    preview.smdp_address, preview, gate,
                                                                    context_.access);
                consent_path_ = path;
                consent_caller_ = caller;
                consent_gate_ = gate;
                refuse_queued();  // the worker is held until the decision: nothing queued behind waits silently
                if (*pending) (*pending)->returnResults(sdbus::ObjectPath(path));
                pending->reset();
            });
            std::unique_lock lock(gate->mutex);
            if (!gate->cv.wait_for(lock, context_.consent_timeout, [&] { return gate->decision.has_value(); })) {
                log::info("euicc" + std::to_string(index_),
                          "no decision on " + path + " within " + std::to_string(context_.consent_timeout.count()) +
                              " s: cancelled (order kept)");
                gate->decision = core::ConsentDecision{false, std::nullopt, true};
            }
            return *gate->decision;
        };
        std::string profile_path;
        std::optional<DbusError> error;
        try {
            opts.notifications = &sender();
            auto r = download_remembered(*card_, code, std::move(opts));
            note_delivered(r);
            profile_path = path_ + "/profile/" + r.iccid;
        } catch (const std::exception& e) {
            error = to_dbus_error(e);
            log::warning("euicc" + std::to_string(index_), error->name + ": " + error->message);
        }
        set_progress("", 0);
        if (error) card_->close();
        auto facts = read_facts(kDownloadChanges);
        context_.loop.post_fn([this, path, gate, pending, profile_path, error, facts = std::move(facts)]() mutable {
            if (consent_gate_ == gate) {
                consent_gate_.reset();
                consent_path_.clear();
                consent_caller_.clear();
            }
            if (*pending) {  // failed before the consent point
                const DbusError& err = error ? *error : DbusError{std::string(kErrorPrefix) + "Internal", "no consent"};
                (*pending)->returnError(sdbus::Error(err.name, err.message));
                pending->reset();
            }
            auto it = downloads_.find(path);
            if (it != downloads_.end()) {
                it->second->finish(profile_path, error);
                downloads_.erase(it);
            }
            if (facts) apply_facts(std::move(*facts));
        });
    });
}

// Methods that touch the card or the network: access check first, on the bus thread, then the job. Reads of the
// cached properties are open to everyone; every method is not (tests/integration/daemon/test_access_methods.sh).
#define LPAD_CHECK_MUTATION(result)                                        \
    try {                                                                  \
        check_mutation_allowed(context_.access, getObject());              \
    } catch (const std::exception& e) {                                    \
        auto err = to_dbus_error(e);                                       \
        (result).returnError(sdbus::Error(err.name, err.message));         \
        return;                                                            \
    }

void EuiccService::Discover(sdbus::Result<std::vector<sdbus::Struct<std::string, std::string>>>&& result,
                            std::string smds_address) {
    LPAD_CHECK_MUTATION(result)
    enqueue(std::move(result), [this, smds_address](core::CardSession& card) {
        core::DiscoveryOptions o;
        if (!smds_address.empty()) o.smds_address = smds_address;
        o.device.imei = config_.imei;
        auto r = core::discover(card, context_.connector, o);
        std::vector<sdbus::Struct<std::string, std::string>> events;
        for (const auto& e : r.events) events.emplace_back(e.event_id, e.rsp_server_address);
        return std::tuple{events};
    }, 0);  // the card's profiles, addresses and notifications stay as they were
}

void EuiccService::SetDefaultSmdpAddress(sdbus::Result<>&& result, std::string address) {
    LPAD_CHECK_MUTATION(result)
    try {
        // The activation code's address rule, before anything reaches the card; "" clears the address.
        if (!address.empty()) address = ActivationCode::parse_address(address);
    } catch (const std::exception& e) {
        auto err = to_dbus_error(e);
        result.returnError(sdbus::Error(err.name, err.message));
        return;
    }
    enqueue(std::move(result), [address](core::CardSession& card) {
        card.set_default_dp_address(address);
        return std::tuple<>{};
    }, kPartAddresses);
}

void EuiccService::ResetMemory(sdbus::Result<>&& result, std::vector<std::string> what) {
    LPAD_CHECK_MUTATION(result)
    enqueue(std::move(result), [this, what](core::CardSession& card) {
        asn1::BitString bits(3);
        for (const auto& w : what) {
            if (w == "operational") bits.set(static_cast<std::size_t>(es10::ResetOption::deleteOperationalProfiles));
            else if (w == "test") bits.set(static_cast<std::size_t>(es10::ResetOption::deleteFieldLoadedTestProfiles));
            else if (w == "default-smdp") bits.set(static_cast<std::size_t>(es10::ResetOption::resetDefaultSmdpAddress));
            else fail(Errc::InvalidArgument, "unknown reset option " + w + " (operational, test, default-smdp)");
        }
        if (what.empty()) fail(Errc::InvalidArgument, "nothing to reset");
        card.memory_reset(bits);
        card.close();
        process_due_notifications(false, false);  // the deletes' notifications
        return std::tuple<>{};
    }, kPartsAll);
}

void EuiccService::ProcessNotifications(
    sdbus::Result<std::vector<sdbus::Struct<int64_t, bool, bool, std::string>>>&& result, int64_t seq_number) {
    LPAD_CHECK_MUTATION(result)
    enqueue(std::move(result), [this, seq_number](core::CardSession& card) {
        core::ProcessOptions o;
        if (seq_number >= 0) o.seq_number = seq_number;
        o.ignore_backoff = true;
        std::vector<sdbus::Struct<int64_t, bool, bool, std::string>> out;
        for (const auto& r : sender().process(card, o))
            out.emplace_back(r.seq_number, r.sent, r.removed,
                             r.error ? std::string(kErrorPrefix) + std::string(errc_name(*r.error)) : std::string());
        return std::tuple{out};
    }, kPartNotifications);
}

void EuiccService::RemoveNotification(sdbus::Result<>&& result, int64_t seq_number) {
    LPAD_CHECK_MUTATION(result)
    enqueue(std::move(result), [this, seq_number](core::CardSession& card) {
        bool known = false;
        for (const auto& n : card.list_notifications()) known = known || n.seq_number == seq_number;
        if (!known) fail(Errc::NotFound, "no pending notification " + std::to_string(seq_number));
        sender().remove(card, seq_number, true);
        return std::tuple<>{};
    }, kPartNotifications);
}

void EuiccService::Refresh(sdbus::Result<>&& result) {
    LPAD_CHECK_MUTATION(result)
    enqueue(std::move(result), [](core::CardSession&) { return std::tuple<>{}; }, kPartsAll);
}

void EuiccService::profile_job(sdbus::Result<>&& result, sdbus::IObject& caller, const std::string& iccid,
                               const std::string& op, const std::string& nickname) {
    try {
        check_mutation_allowed(context_.access, caller);
    } catch (const std::exception& e) {
        auto err = to_dbus_error(e);
        result.returnError(sdbus::Error(err.name, err.message));
        return;
    }
    enqueue(std::move(result), [this, iccid, op, nickname](core::CardSession& card) {
        if (op == "enable") card.enable(by_iccid(iccid), config_.refresh);
        else if (op == "disable") card.disable(by_iccid(iccid), config_.refresh);
        else if (op == "delete") card.delete_profile(by_iccid(iccid));
        else card.set_nickname(iccid_to_bcd(iccid), nickname);
        if (op != "nickname") {
            card.close();
            process_due_notifications(false, false);
        }
        return std::tuple<>{};
    }, op == "nickname" ? unsigned{kPartProfiles}
       : op == "delete" ? unsigned{kPartProfiles | kPartNotifications | kPartInfo2}  // free memory grows
                        : unsigned{kPartProfiles | kPartNotifications});
}

}  // namespace lpad::daemon
