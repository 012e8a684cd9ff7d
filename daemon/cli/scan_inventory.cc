#include "scan_inventory.h"

#include <signal.h>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/base/path.h"
#include "custos/config/config.h"

namespace custos::cli {
namespace {

// Where the HMAC key lives: --state-dir, else the folder of an inventory file, else (a
// PostgreSQL inventory) the folder of the default one.
std::string StateDir(const InventoryScanOptions& inv) {
  if (!inv.state_dir.empty()) return inv.state_dir;
  if (inventory::IsPgLocation(inv.db_path)) return FolderOf(config::DefaultInventoryPath());
  return FolderOf(inventory::SqlitePath(inv.db_path));
}

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

}  // namespace

class InventoryScan::RecordingSink : public scan::Sink {
 public:
  explicit RecordingSink(inventory::ScanSession& session) : session_(session) {}
  void set_printing(scan::PrintingSink* printing) { printing_ = printing; }
  std::string Prepare(const Item& item) override {
    return printing_ ? printing_->Prepare(item) : std::string();
  }
  Status EmitPrepared(Item&& item, std::string&& text) override {
    if (printing_) {
      Status s = printing_->Write(text);
      if (!s.ok()) return s;
    }
    session_.Add(std::move(item));
    return Status::Ok();
  }
  Status Emit(Item&& item) override { return EmitPrepared(std::move(item), Prepare(item)); }

 private:
  inventory::ScanSession& session_;
  scan::PrintingSink* printing_ = nullptr;
};

InventoryScan::~InventoryScan() {
  // The session's readers and writer thread go before the store they use.
  sink_.reset();
  session_.reset();
  store_.reset();
}

std::unique_ptr<InventoryScan> InventoryScan::Start(
    const InventoryScanOptions& inv, scan::ScanOptions& options,
    const std::shared_ptr<const policies::PolicySet>& policies) {
  std::unique_ptr<InventoryScan> s(new InventoryScan);
  auto store = inventory::OpenStore(inv.db_path, {.node = inv.node});
  if (!store.ok()) {
    PrintError("inventory: " + EscapeBytes(store.status().message(), true));
    return nullptr;
  }
  s->store_ = std::move(store.value());
  auto session = inventory::ScanSession::Begin(*s->store_, inventory::SqlitePath(inv.db_path),
                                               StateDir(inv), options, policies, inv.now);
  if (!session.ok()) {
    PrintError(EscapeBytes(session.status().message(), true));
    return nullptr;
  }
  s->session_ = std::move(session.value());
  s->sink_ = std::make_unique<RecordingSink>(*s->session_);
  return s;
}

scan::Sink& InventoryScan::Wrap(scan::PrintingSink& printing) {
  sink_->set_printing(&printing);
  return *sink_;
}

bool InventoryScan::Finish(const Status& scan_status, const scan::ScanStats& stats) {
  const inventory::ScanState end = !scan_status.ok() ? inventory::ScanState::kFailed
                                   : stats.cancelled ? inventory::ScanState::kInterrupted
                                                     : inventory::ScanState::kComplete;
  Status s = session_->Finish(end, stats);
  if (!s.ok()) {
    PrintError(EscapeBytes(s.message(), true));
    return false;
  }
  return true;
}

const std::atomic<bool>* InstallStopSignals() {
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sa.sa_flags = SA_RESETHAND;  // a second signal takes the default action
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return &g_stop;
}

}  // namespace custos::cli
