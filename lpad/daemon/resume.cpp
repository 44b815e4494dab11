// SPDX-License-Identifier: Apache-2.0
// Downloads in flight across a crash (issue #18). A download is recorded (in_flight_store.h) right before
// getBoundProfilePackage; from then until the card settles it (installed, a ProfileInstallationResult, or an
// answered CancelSession), a crash would leave the order "downloaded" at the SM-DP+, bound to the eUICC's one-time
// key. At start-up (and later, after a transient failure) each record is finished with a new download of the same
// order (same SM-DP+, matching ID, OID): the SM-DP+ recognises the eUICC and sends bppEuiccOtpk, an eUICC that
// still holds that key reuses it (SGP.22 §3.1.3), and the bound package is loaded.
// Consent: the user already accepted this profile (Download, or Accept of a preview) before the record was made,
// so the resume goes on without a new preview as long as the SM-DP+ offers the same ICCID; another profile is not
// accepted (the session is cancelled as postponed: the order stays usable). The confirmation code is not kept, so
// an order that needs one is cancelled as postponed and the user downloads again with the code.
#include <filesystem>

#include "libapdu/identifiers.h"
#include "libapdu/log.h"
#include "lpad/daemon/euicc_service.h"

namespace lpad::daemon {
namespace {

// Errors after which a resume is tried again later: the server or the card could not be reached.
bool transient(const Error& e) {
    switch (e.code()) {
        case Errc::HttpError:
        case Errc::TlsError:
        case Errc::Timeout:
        case Errc::Unavailable:
        case Errc::TransportError: return true;
        case Errc::ServerError: return e.http_status && *e.http_status >= 500;
        default: return false;
    }
}

constexpr unsigned kMaxResumeTries = 8;
constexpr std::chrono::seconds kFirstRetry{30}, kLastRetry{3600};

}  // namespace

InFlightStore& EuiccService::in_flight() {
    if (!in_flight_) {
        if (worker_eid_.empty()) worker_eid_ = eid_to_string(card_->eid());
        std::filesystem::create_directories(context_.state_dir);
        in_flight_ = std::make_unique<InFlightStore>(context_.state_dir + "/downloads-" + worker_eid_ + ".json");
    }
    return *in_flight_;
}

void EuiccService::post_interrupted(std::map<std::string, std::string> report) {
    context_.loop.post_fn([this, report = std::move(report)] {
        if (report == interrupted_) return;
        interrupted_ = report;
        getObject().emitPropertiesChangedSignal("org.lpad.Lpad1.Euicc", {"InterruptedDownload"});
    });
}

core::DownloadResult EuiccService::download_remembered(core::CardSession& card, const DownloadWhat& what,
                                                       core::DownloadOptions options, const std::string& replaces) {
    auto recorded = std::make_shared<std::string>();  // the transactionId on disk, "" once removed
    const bool enable = options.enable_after_download;
    options.before_bpp_request = [this, recorded, enable, replaces](const core::InFlightDownload& d) {
        in_flight().add({d, enable});  // throws: the download stops before asking for the package
        *recorded = d.transaction_id;
        if (!replaces.empty() && replaces != d.transaction_id) in_flight().remove(replaces);
    };
    options.after_bpp_settled = [this, recorded] {
        in_flight().remove(*recorded);
        recorded->clear();
    };
    try {
        if (const auto* code = std::get_if<std::string>(&what))
            return core::download(card, context_.connector, *code, options);
        return core::download(card, context_.connector, std::get<core::DownloadTarget>(what), options);
    } catch (const std::exception&) {
        if (!recorded->empty()) {
            // The card could not be asked after getBoundProfilePackage: it may hold the key; finish it later.
            log::warning("euicc" + std::to_string(index_),
                         "the interrupted download stays recorded; it is resumed when the card answers again");
            resume_waiting_ = true;
            resume_due_ = std::chrono::steady_clock::now() + kFirstRetry;
        }
        throw;
    }
}

void EuiccService::resume_interrupted(bool at_start) {
    const std::string tag = "euicc" + std::to_string(index_);
    if (!at_start && std::chrono::steady_clock::now() < resume_due_) return;
    resume_waiting_ = false;
    std::vector<InFlightRecord> records;
    try {
        records = in_flight().load();
    } catch (const std::exception& e) {
        // Unreadable: nothing can be resumed from it; keep it for inspection under another name.
        log::error(tag, std::string("interrupted downloads: ") + e.what());
        std::error_code ec;
        std::filesystem::rename(in_flight().path(), in_flight().path() + ".bad", ec);
        return;
    }
    for (const auto& rec : records) {
        const auto& d = rec.download;
        std::map<std::string, std::string> report{{"smdpAddress", d.smdp_address}, {"iccid", d.iccid}};
        auto finish = [&](const std::string& state, const std::string& error = {}, const std::string& message = {}) {
            if (state != "resuming") refresh_cache();  // the card changed: the profile list first, then the report
            report["state"] = state;
            report["error"] = error;
            report["message"] = message;
            post_interrupted(report);
        };
        // Installed after all (the crash came after the load, before lpad removed the record): nothing to do; the
        // installation result is among the pending notifications.
        bool installed = false;
        try {
            for (const auto& p : card_->profiles())
                installed = installed || (p.iccid && iccid_from_bcd(*p.iccid) == d.iccid);
            card_->close();
        } catch (const std::exception& e) {
            card_->close();
            log::warning(tag, std::string("interrupted download: cannot read the card: ") + e.what());
            resume_waiting_ = true;
            resume_due_ = std::chrono::steady_clock::now() + kFirstRetry;
            return;
        }
        if (installed) {
            log::info(tag, "interrupted download of " + d.iccid + ": the profile is installed");
            in_flight().remove(d.transaction_id);
            finish("installed");
            continue;
        }
        log::info(tag, "resuming the interrupted download of " + d.iccid + " from " + d.smdp_address +
                           " (transaction " + d.transaction_id + ")");
        finish("resuming");
        core::DownloadTarget target{d.smdp_address, d.matching_id, d.smdp_oid, d.confirmation_code_used};
        auto opts = download_options({});
        opts.enable_after_download = rec.enable;
        opts.notifications = &sender();
        const std::string iccid = d.iccid;
        opts.consent = [iccid](const core::ProfilePreview& preview) {
            core::ConsentDecision decision;
            if (preview.iccid != iccid) {
                decision.postpone = true;
                decision.why = "the resumed download offers profile " + preview.iccid + ", not " + iccid +
                               " which was accepted: not installed without a new decision";
            }
            return decision;
        };
        // The new download makes its own record and drops this one (its session at the SM-DP+ is replaced).
        try {
            core::DownloadResult r;
            {
                struct ClearProgress {
                    EuiccService* s;
                    ~ClearProgress() { s->set_progress("", 0); }
                } clear{this};
                r = download_remembered(*card_, target, std::move(opts), d.transaction_id);
            }
            card_->close();
            in_flight().remove(d.transaction_id);
            resume_failures_ = 0;
            log::info(tag, "interrupted download finished: profile " + r.iccid + " installed");
            finish("installed");
        } catch (const Error& e) {
            auto err = to_dbus_error(e);
            card_->close();
            if (transient(e) && ++resume_failures_ < kMaxResumeTries) {
                auto wait = std::min<std::chrono::seconds>(kFirstRetry * (1u << (resume_failures_ - 1)), kLastRetry);
                log::warning(tag, "resuming the interrupted download failed (" + err.message + "); again in " +
                                      std::to_string(wait.count()) + " s");
                resume_waiting_ = true;
                resume_due_ = std::chrono::steady_clock::now() + wait;
                finish("retrying", err.name, err.message);
                return;
            }
            resume_failures_ = 0;
            try {
                in_flight().remove(d.transaction_id);
            } catch (const std::exception& x) {
                log::error(tag, std::string("interrupted downloads: ") + x.what());
            }
            const bool kept = e.code() == Errc::Rejected;  // cancelled as postponed: the order stays usable
            log::warning(tag, std::string("interrupted download ") + (kept ? "cancelled" : "failed") + ": " +
                                  err.message);
            finish(kept ? "cancelled" : "failed", err.name, err.message);
        } catch (const std::exception& e) {  // not an lpad::Error (e.g. the state directory): tried again later
            card_->close();
            log::error(tag, std::string("resuming the interrupted download: ") + e.what());
            resume_waiting_ = true;
            resume_due_ = std::chrono::steady_clock::now() + kLastRetry;
            finish("retrying", "org.lpad.Lpad1.Error.Internal", e.what());
            return;
        }
    }
}

}  // namespace lpad::daemon
