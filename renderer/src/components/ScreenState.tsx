// The two states every screen passes through before it has its data: loading, and a load that
// failed with a message and a way back. One look for all screens.
import type { ReactNode } from 'react';

export function ScreenLoading() {
  return (
    <div className="viewport-message">
      <div className="spinner" />
    </div>
  );
}

export function ScreenError({ children, onBack, backLabel = 'Back' }: { children: ReactNode; onBack: () => void; backLabel?: string }) {
  return (
    <div className="viewport-message" role="alert">
      <div className="error-text">{children}</div>
      <button className="btn" onClick={onBack}>
        {backLabel}
      </button>
    </div>
  );
}
