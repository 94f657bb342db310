import { useUi, useDashboard } from '../stores/hooks.js';
import { CloseIcon } from './icons.js';

/** Notifications: announced politely (errors assertively), dismissible, with an optional action (Undo). */
export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  const { ui } = useDashboard();
  return (
    <div className="toasts" aria-live="polite" aria-relevant="additions">
      {toasts.map((toast) => (
        <div
          key={toast.id}
          className={`toast toast-${toast.kind}`}
          role={toast.kind === 'error' ? 'alert' : 'status'}
        >
          <span className="toast-message">{toast.message}</span>
          {toast.action ? (
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                toast.action!.run();
                ui.getState().dismiss(toast.id);
              }}
            >
              {toast.action.label}
            </button>
          ) : null}
          <button
            type="button"
            className="button button-ghost button-icon"
            aria-label="Dismiss notification"
            onClick={() => ui.getState().dismiss(toast.id)}
          >
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}
