import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

interface Props {
  readonly titleId: string;
  readonly onDismiss: () => void;
  readonly children: ComponentChildren;
  readonly class?: string;
}

/**
 * A modal `<dialog>`: focus moves in and is trapped by the browser, Escape
 * dismisses, and focus returns to where it was when the dialog goes away.
 */
export function Modal({ titleId, onDismiss, children, class: className }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  useLayoutEffect(() => {
    const dialog = ref.current!;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    if (!dialog.open) dialog.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      dismiss.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (previous?.isConnected) previous.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={`modal ${className ?? ''}`}
      aria-labelledby={titleId}
      onClick={(e) => {
        // A click on the backdrop (the dialog box itself, outside its content) dismisses.
        if (e.target === ref.current) dismiss.current();
      }}
    >
      <div class="modal-body">{children}</div>
    </dialog>
  );
}
