/** Imports every module that registers a start check, so the start handler sees them all. */
import './backup-set-add-policies.js';
import './backup-schedule-run.js';
import './backup-schedule-retry.js';
import './drift-generate.js';
import './restore-execute.js';
